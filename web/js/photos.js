// Photos on the pages (docs/RESIDENTS.md "Photos"): the upload with
// progress, the limits as the user reads them, a gallery of thumbnails that
// link to the full image. The server checks everything again by content:
// the checks here only save a resident a slow upload that would be refused.
import { el } from './common.js';
import { lang } from './i18n.js';

const TEXT = {
  uk: {
    title: 'Фото',
    label: 'Додати фото',
    hint: 'JPEG, PNG або WebP, до {size} кожне, не більше {count} до звернення. Місце зйомки та інші метадані буде видалено.',
    add: 'Надіслати фото',
    none: 'Фото ще немає.',
    uploading: 'Надсилаємо фото… {pct}%',
    uploaded: 'Фото додано: {n}.',
    failed: 'Фото не додано.',
    network: 'Немає зв’язку із сервером: фото не надіслано.',
    type: '«{name}»: це не JPEG, PNG чи WebP.',
    big: '«{name}» завелике: до {size}.',
    many: 'Можна додати ще {left} фото (усього до {count}).',
    pick: 'Оберіть фото.',
    open: 'Фото {n} з {total}: відкрити повністю',
    kind_appeal: 'від заявника',
    kind_comment: 'від заявника',
    kind_done: 'від виконавця',
    public: 'публічне',
    makePublic: 'Зробити публічним',
    makePrivate: 'Прибрати з публічного',
  },
  en: {
    title: 'Photos',
    label: 'Add photos',
    hint: 'JPEG, PNG or WebP, up to {size} each, at most {count} per appeal. The location and other metadata are removed.',
    add: 'Send photos',
    none: 'No photos yet.',
    uploading: 'Sending photos… {pct}%',
    uploaded: 'Photos added: {n}.',
    failed: 'The photos were not added.',
    network: 'No connection to the server: the photos were not sent.',
    type: '“{name}” is not a JPEG, PNG or WebP.',
    big: '“{name}” is too large: up to {size}.',
    many: 'You can add {left} more (at most {count}).',
    pick: 'Choose photos.',
    open: 'Photo {n} of {total}: open in full',
    kind_appeal: 'by the applicant',
    kind_comment: 'by the applicant',
    kind_done: 'by the service',
    public: 'public',
    makePublic: 'Make public',
    makePrivate: 'Make private',
  },
};

export function pt(key, vars) {
  let s = (TEXT[lang()] || TEXT.uk)[key] || key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, x) => (vars[x] !== undefined ? String(vars[x]) : m));
  return s;
}

export const DEFAULT_LIMITS = { max_bytes: 10 * 1024 * 1024, max_count: 5, types: ['image/jpeg', 'image/png', 'image/webp'] };
export const limitsOf = (config) => ({ ...DEFAULT_LIMITS, ...((config && config.photos) || {}) });

export function sizeWord(bytes) {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return lang() === 'en' ? `${+mb.toFixed(1)} MB` : `${String(+mb.toFixed(1)).replace('.', ',')} МБ`;
  return lang() === 'en' ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes / 1024)} КБ`;
}

export const hintText = (limits) => pt('hint', { size: sizeWord(limits.max_bytes), count: limits.max_count });

// Problems a resident can fix before sending (the server decides anyway).
export function checkFiles(files, limits, already = 0) {
  const problems = [];
  const left = Math.max(0, limits.max_count - already);
  if (files.length > left) problems.push(pt('many', { left, count: limits.max_count }));
  for (const f of files) {
    if (f.type && !limits.types.includes(f.type)) problems.push(pt('type', { name: f.name }));
    else if (f.size > limits.max_bytes) problems.push(pt('big', { name: f.name, size: sizeWord(limits.max_bytes) }));
  }
  return problems;
}

// multipart/form-data upload with progress (fetch has no upload progress).
// Resolves {ok, status, data}; rejects on a network failure.
export function uploadPhotos(url, files, { headers = {}, onProgress } = {}) {
  const fd = new FormData();
  for (const f of files) fd.append('photo', f, f.name);
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', url);
    x.setRequestHeader('Accept', 'application/json');
    x.setRequestHeader('Accept-Language', lang());
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
    if (onProgress) x.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); });
    x.addEventListener('load', () => {
      let data = null;
      try { data = JSON.parse(x.responseText); } catch { data = null; }
      resolve({ ok: x.status >= 200 && x.status < 300, status: x.status, data });
    });
    x.addEventListener('error', () => reject(new Error('network')));
    x.addEventListener('abort', () => reject(new Error('network')));
    x.send(fd);
  });
}

// The server's refusal in words: the message and each field's message.
export function errorText(r) {
  const e = r && r.data && r.data.error;
  if (!e) return pt('failed');
  const fields = e.fields ? Object.values(e.fields).map((f) => f.message) : [];
  return [e.message, ...fields].join(' ');
}

// A list of thumbnails linking to the full images (when there is one).
// extra(photo) may add controls under a thumbnail (staff: the public toggle).
export function renderGallery(box, photos, { extra } = {}) {
  const list = Array.isArray(photos) ? photos : [];
  if (!list.length) {
    box.replaceChildren(el('p', { class: 'hint', text: pt('none') }));
    return;
  }
  box.replaceChildren(el('ul', { class: 'photo-list' }, list.map((p, i) => {
    const alt = `${pt('title')} ${i + 1} (${pt('kind_' + p.kind)})`;
    const img = el('img', { src: p.thumb_url, alt, loading: 'lazy', width: '160', height: '160', class: 'photo-thumb' });
    const pic = p.url ? el('a', { href: p.url, target: '_blank', rel: 'noopener', 'aria-label': pt('open', { n: i + 1, total: list.length }) }, img) : img;
    return el('li', { class: 'photo-item', 'data-photo-id': String(p.id) }, pic,
      el('span', { class: 'photo-kind hint', text: pt('kind_' + p.kind) + (p.public ? ' · ' + pt('public') : '') }),
      extra ? extra(p) : null);
  })));
}

// A file input with its label, the limits as a hint, and a place for
// problems and progress. Returns {root, input, status, error}.
export function photoField(id, limits) {
  const input = el('input', { id, type: 'file', name: 'photo', accept: limits.types.join(','), multiple: true, 'aria-describedby': `${id}-hint ${id}-error ${id}-status` });
  const status = el('p', { id: `${id}-status`, class: 'hint', role: 'status' });
  const error = el('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  const root = el('div', { class: 'field photo-field' },
    el('label', { for: id, text: pt('label') }),
    el('p', { id: `${id}-hint`, class: 'hint', text: hintText(limits) }),
    error, input, status);
  return { root, input, status, error };
}

export function showError(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}
