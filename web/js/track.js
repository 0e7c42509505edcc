// The applicant's view of one appeal: /track.html#TOKEN → GET /api/v1/track/{token}.
// The token stays in the fragment, so it never reaches a server log or a referrer.
import { initPage, el, say, tokenFrom, wireTrackForm } from './common.js';
import { api, NetworkError } from './api.js';
import { lang, nameOf, onLangChange, t } from './i18n.js';
import { dateTime, eventWord, priorityWord, span, statusWord, timeOnly } from './format.js';
import { leaflet, makeMap } from './map.js';
import { checkFiles, errorText, hintText, limitsOf, photoField, pt, renderGallery, showError, uploadPhotos } from './photos.js';

const $ = (id) => document.getElementById(id);

let config = null;
let appeal = null;
let loadedAt = null;
let map = null;
let marker = null;
let ticker = null;
let actionNote = '';
let givenRating = null; // what this page sent (the view does not echo it)

// The applicant's part after the work is reported done: confirm, dispute
// (with a comment) and rate 1–5 (POST /api/v1/track/{token}/actions).
const ACT = {
  uk: {
    title: 'Ваша оцінка',
    lead: 'Виконавець повідомив, що проблему вирішено. Якщо це так — підтвердьте. Якщо ні — опишіть, що не так, і звернення повернуть на доопрацювання.',
    confirm: 'Так, проблему вирішено',
    comment: 'Що не так?',
    commentHint: 'Обов’язково: ваш коментар побачить виконавець.',
    dispute: 'Ні, не вирішено — повернути на доопрацювання',
    needComment: 'Напишіть, що не так: без коментаря оскарження не надіслати.',
    rate: 'Оцініть роботу служби (1 — погано, 5 — чудово)',
    rateSubmit: 'Надіслати оцінку',
    needRating: 'Оберіть оцінку від 1 до 5.',
    confirmed: 'Дякуємо! Звернення закрито.',
    disputed: 'Звернення повернуто на доопрацювання.',
    rated: 'Дякуємо за оцінку!',
    yourRating: 'Ваша оцінка: {n} з 5.',
    failed: 'Не вдалося надіслати. Спробуйте ще раз.',
  },
  en: {
    title: 'Your assessment',
    lead: 'The service reported the problem solved. If it is, confirm. If not, say what is wrong and the appeal goes back for rework.',
    confirm: 'Yes, the problem is solved',
    comment: 'What is wrong?',
    commentHint: 'Required: the service will read your comment.',
    dispute: 'No, not solved — send it back for rework',
    needComment: 'Write what is wrong: a dispute needs a comment.',
    rate: 'Rate the service’s work (1 — poor, 5 — excellent)',
    rateSubmit: 'Send the rating',
    needRating: 'Choose a rating from 1 to 5.',
    confirmed: 'Thank you! The appeal is closed.',
    disputed: 'The appeal went back for rework.',
    rated: 'Thank you for the rating!',
    yourRating: 'Your rating: {n} of 5.',
    failed: 'Could not send. Please try again.',
  },
};
const at = (k, vars) => {
  let s = (ACT[lang()] || ACT.uk)[k];
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, x) => (vars[x] !== undefined ? String(vars[x]) : m));
  return s;
};

function renderActions() {
  const box = $('applicant-actions');
  const a = appeal;
  const canAnswer = a.status === 'done' && !a.subscriber;
  const timeline = Array.isArray(a.timeline) ? a.timeline : [];
  const rated = Number.isInteger(a.rating) || timeline.some((ev) => ev.kind === 'rated');
  const myRating = Number.isInteger(a.rating) ? a.rating : givenRating;
  const canRate = !a.subscriber && (a.status === 'done' || a.status === 'closed') && !rated;
  box.hidden = !(canAnswer || canRate || actionNote || rated);
  if (box.hidden) return;
  $('aa-title').textContent = at('title');
  $('aa-confirm-box').hidden = !canAnswer;
  $('aa-lead').textContent = at('lead');
  $('aa-confirm').textContent = at('confirm');
  $('aa-comment-label').textContent = at('comment');
  $('aa-comment-hint').textContent = at('commentHint');
  $('aa-dispute-submit').textContent = at('dispute');
  $('aa-rate').hidden = !canRate;
  $('aa-rate-legend').textContent = at('rate');
  $('aa-rate-submit').textContent = at('rateSubmit');
  const opts = $('aa-rate-options');
  if (!opts.children.length) {
    for (let n = 1; n <= 5; n++) {
      opts.append(el('label', { for: 'aa-rating-' + n },
        el('input', { type: 'radio', name: 'rating', id: 'aa-rating-' + n, value: String(n) }), el('span', { text: String(n) })));
    }
  }
  const note = [actionNote, rated && myRating ? at('yourRating', { n: myRating }) : ''].filter(Boolean).join(' ');
  say($('aa-status'), note);
}

async function sendAction(body, okKey) {
  const token = tokenFrom(location.hash);
  const err = $('aa-error');
  say(err, '');
  let r = null;
  try {
    r = await api('/api/v1/track/' + encodeURIComponent(token) + '/actions', { method: 'POST', body });
  } catch { r = null; }
  if (!r || !r.ok) {
    const e = r && r.data && r.data.error;
    const fields = e && e.fields ? Object.values(e.fields).map((f) => f.message).join(' ') : '';
    say(err, e ? `${e.message} ${fields}`.trim() : at('failed'));
    err.focus();
    return false;
  }
  actionNote = at(okKey);
  await load(false);
  return true;
}

function wireActions() {
  $('aa-confirm').addEventListener('click', async (e) => {
    e.currentTarget.disabled = true;
    await sendAction({ action: 'confirm' }, 'confirmed');
    $('aa-confirm').disabled = false;
  });
  $('aa-dispute').addEventListener('submit', async (e) => {
    e.preventDefault();
    const c = $('aa-comment');
    c.removeAttribute('aria-invalid');
    if (!c.value.trim()) {
      c.setAttribute('aria-invalid', 'true');
      say($('aa-error'), at('needComment'));
      c.focus();
      return;
    }
    $('aa-dispute-submit').disabled = true;
    if (await sendAction({ action: 'dispute', comment: c.value.trim() }, 'disputed')) c.value = '';
    $('aa-dispute-submit').disabled = false;
  });
  $('aa-rate').addEventListener('submit', async (e) => {
    e.preventDefault();
    const picked = document.querySelector('input[name="rating"]:checked');
    if (!picked) { say($('aa-error'), at('needRating')); $('aa-rating-1').focus(); return; }
    $('aa-rate-submit').disabled = true;
    if (await sendAction({ action: 'rate', rating: Number(picked.value) }, 'rated')) givenRating = Number(picked.value);
    renderActions();
    $('aa-rate-submit').disabled = false;
  });
}

// While the appeal waits to be taken up, the reaction clock runs; until it is
// done (or otherwise finished), the resolution clock runs.
const REACTION_OPEN = new Set(['new', 'registered', 'assigned']);
const RESOLUTION_CLOSED = new Set(['done', 'closed', 'rejected', 'forwarded', 'duplicate']);

function showOnly(which) {
  $('appeal').hidden = which !== 'appeal';
  $('track-missing').hidden = which !== 'missing';
  $('track-ask').hidden = !(which === 'ask' || which === 'missing');
}

function renderDeadline(boxId, iso, running) {
  const box = $(boxId);
  const due = box.querySelector('.due');
  const left = box.querySelector('.left');
  due.textContent = iso ? t('track.due', { time: dateTime(iso) }) : '—';
  box.classList.remove('is-overdue', 'is-running');
  if (!iso || !running) { left.textContent = ''; return; }
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) {
    left.textContent = t('track.overdueBy', { left: span(ms) });
    box.classList.add('is-overdue');
  } else {
    left.textContent = t('track.left', { left: span(ms) });
    box.classList.add('is-running');
  }
}

function tick() {
  if (!appeal) return;
  renderDeadline('dl-reaction', appeal.reaction_due_at, REACTION_OPEN.has(appeal.status));
  renderDeadline('dl-resolution', appeal.resolution_due_at, !RESOLUTION_CLOSED.has(appeal.status));
  const overdue = appeal.overdue === true
    || $('dl-reaction').classList.contains('is-overdue')
    || $('dl-resolution').classList.contains('is-overdue');
  $('a-overdue').hidden = !overdue;
}

function renderTimeline(source = appeal, box = $('a-timeline')) {
  const items = Array.isArray(source.timeline) ? source.timeline : [];
  box.replaceChildren(...items.map((ev) => {
    const known = eventWord(ev.kind) !== t('event.unknown');
    const what = known ? eventWord(ev.kind)
      : `${t('event.unknown')}${ev.status ? ' — ' + t('event.status', { status: statusWord(ev.status) }) : ''}`;
    return el('li', { class: 'tl-item tl-' + String(ev.kind || 'unknown').replace(/[^a-z_]/g, '') },
      el('time', { datetime: ev.at, class: 'tl-time', text: dateTime(ev.at) }),
      el('span', { class: 'tl-what', text: what }),
      ev.note ? el('span', { class: 'tl-note', text: ev.note }) : null);
  }));
}

// Merged by staff into another appeal about the same problem: the applicant
// follows that one (its public view and timeline only).
function renderMerged(p) {
  const box = $('merged');
  box.hidden = !p;
  if (!p) return;
  $('merged-title').textContent = t('track.merged.title', { number: p.number });
  const st = $('m-status');
  st.textContent = statusWord(p.status);
  st.className = 'badge badge-' + String(p.status || '').replace(/[^a-z_]/g, '');
  $('m-due').textContent = t('track.merged.due', { time: dateTime(p.resolution_due_at) });
  renderTimeline(p, $('m-timeline'));
}

function renderMap() {
  const loc = appeal.location || {};
  const box = $('a-map');
  const has = Number.isFinite(loc.lat) && Number.isFinite(loc.lon);
  $('a-coords').textContent = has ? `${loc.lat.toFixed(6)}, ${loc.lon.toFixed(6)}` : '';
  box.setAttribute('aria-label', has ? `${t('track.location')}: ${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}` : t('track.location'));
  const L = leaflet();
  if (!has || !L) { box.hidden = true; return; }
  box.hidden = false;
  if (!map) {
    map = makeMap(box, config, { center: [loc.lat, loc.lon], zoom: 16, showBounds: false });
    if (!map) return;
    map.scrollWheelZoom.disable();
    marker = L.marker([loc.lat, loc.lon], { keyboard: false, interactive: false }).addTo(map);
  } else {
    marker.setLatLng([loc.lat, loc.lon]);
    map.setView([loc.lat, loc.lon]);
  }
}

// Photos: thumbnails linking to the full images; while the appeal is open
// the applicant may add more (POST /api/v1/track/{token}/photos).
const PHOTO_CLOSED = new Set(['closed', 'rejected', 'forwarded', 'duplicate']);
let photoUi = null;
let photoNote = '';

function renderPhotos() {
  const a = appeal;
  const photos = Array.isArray(a.photos) ? a.photos : [];
  const limits = limitsOf(config);
  $('ph-title').textContent = pt('title');
  $('photos').hidden = Boolean(a.subscriber) && !photos.length;
  renderGallery($('a-photos'), photos);
  const open = !a.subscriber && !PHOTO_CLOSED.has(a.status) && photos.length < limits.max_count;
  $('photo-form').hidden = !open;
  if (!photoUi) {
    photoUi = photoField('photo-input', limits);
    $('photo-slot').replaceChildren(photoUi.root);
  } else {
    photoUi.root.querySelector('label').textContent = pt('label');
    $('photo-input-hint').textContent = hintText(limits);
  }
  $('photo-submit').textContent = pt('add');
  photoUi.status.textContent = photoNote;
}

async function sendPhotos(e) {
  e.preventDefault();
  const files = [...photoUi.input.files];
  const limits = limitsOf(config);
  const have = Array.isArray(appeal.photos) ? appeal.photos.length : 0;
  const problems = files.length ? checkFiles(files, limits, have) : [pt('pick')];
  showError(photoUi.error, problems.join(' '));
  if (problems.length) { photoUi.input.focus(); return; }
  const token = tokenFrom(location.hash);
  $('photo-submit').disabled = true;
  let r = null;
  try {
    r = await uploadPhotos('/api/v1/track/' + encodeURIComponent(token) + '/photos', files,
      { onProgress: (pct) => { photoUi.status.textContent = pt('uploading', { pct }); } });
  } catch { r = null; }
  $('photo-submit').disabled = false;
  if (!r) { photoUi.status.textContent = ''; showError(photoUi.error, pt('network')); return; }
  if (!r.ok) { photoUi.status.textContent = ''; showError(photoUi.error, errorText(r)); photoUi.input.focus(); return; }
  photoUi.input.value = '';
  photoNote = pt('uploaded', { n: r.data.photos.length });
  await load(false);
}

function render() {
  if (!appeal) return;
  const a = appeal;
  $('track-heading').replaceChildren(
    el('span', { class: 'h1-label', text: t('track.numberLabel') }), ' ',
    el('span', { id: 'a-number', class: 'h1-number', text: a.number }));
  document.title = `${t('track.number', { number: a.number })} — ${t('site.name')}`;
  const st = $('a-status');
  st.textContent = statusWord(a.status);
  st.className = 'badge badge-' + String(a.status || '').replace(/[^a-z_]/g, '');
  $('a-category').textContent = nameOf(a.category);
  $('a-type').textContent = nameOf(a.type);
  $('a-priority').textContent = priorityWord(a.priority);
  $('a-org').textContent = nameOf(a.organisation);
  $('a-district').textContent = a.district ? nameOf(a.district) : t('district.none');
  $('a-created').textContent = dateTime(a.created_at);
  const addr = a.location && a.location.address;
  $('a-address').textContent = addr || t('track.noAddress');
  $('a-maplink').href = '/map.html#number=' + encodeURIComponent(a.number);
  $('a-description').textContent = a.description || '';
  // A "me too" subscriber follows someone else's appeal: no description or address.
  $('a-description').closest('section').hidden = Boolean(a.subscriber);
  $('a-address').parentElement.hidden = Boolean(a.subscriber);
  renderTimeline();
  renderPhotos();
  renderMerged(a.merged_into);
  renderActions();
  tick();
  if (loadedAt) $('updated').textContent = t('track.updated', { time: timeOnly(loadedAt) });
  showOnly('appeal');
  renderMap();
}

async function load(focus) {
  const token = tokenFrom(location.hash);
  const status = $('track-status');
  appeal = null;
  if (!token) {
    $('track-heading').textContent = t('track.title');
    say(status, '');
    showOnly(location.hash.length > 1 ? 'missing' : 'ask');
    return;
  }
  say(status, t('loading'));
  let r;
  try {
    r = await api('/api/v1/track/' + encodeURIComponent(token));
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    say(status, t('error.network'));
    return;
  }
  if (r.ok && r.data) {
    say(status, '');
    appeal = r.data;
    loadedAt = new Date();
    render();
    if (focus) $('track-heading').focus();
    return;
  }
  if (r.status === 404) {
    say(status, '');
    $('track-heading').textContent = t('track.title');
    showOnly('missing');
    return;
  }
  const err = (r.data && r.data.error) || {};
  say(status, r.status === 429 ? t('error.rate') : (err.message || t('error.server')));
}

async function main() {
  wireTrackForm($('track-form'));
  wireActions();
  $('photo-form').addEventListener('submit', sendPhotos);
  window.addEventListener('hashchange', () => { photoNote = ''; });
  window.addEventListener('hashchange', () => { actionNote = ''; givenRating = null; });
  $('refresh').addEventListener('click', () => load(false));
  window.addEventListener('hashchange', () => load(true));
  onLangChange(() => {
    if (appeal) render();
    else $('track-heading').textContent = t('track.title');
  });
  config = await initPage();
  await load(false);
  ticker = setInterval(tick, 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { clearInterval(ticker); ticker = null; } else if (!ticker) { tick(); ticker = setInterval(tick, 1000); }
  });
}

main();
