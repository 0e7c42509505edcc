// "The same problem nearby": while a resident fills the form, the open
// appeals of the chosen category near the pin (GET /api/v1/duplicates) are
// offered; "me too" subscribes the resident's phone to one of them instead
// of filing a new appeal (POST /api/v1/appeals/{number}/subscriptions).
import { el } from './common.js';
import { api, NetworkError } from './api.js';
import { lang, nameOf, onLangChange } from './i18n.js';
import { dateTime, statusWord } from './format.js';
import { normalizePhone, parseCoord } from './validate.js';

const TEXT = {
  uk: {
    title: 'Можливо, про це вже повідомили',
    intro: 'Поруч уже є відкриті звернення цієї категорії. Якщо це та сама проблема, стежте за ним — нове подавати не потрібно.',
    distance: (m) => `за ${m} м`,
    since: 'зареєстровано',
    same: 'Це та сама проблема — стежити',
    needPhone: 'Вкажіть свій телефон у формі нижче, щоб стежити за зверненням.',
    done: (n) => `Ви стежите за зверненням № ${n}. Нове звернення подавати не потрібно.`,
    keep: 'Збережіть приватне посилання — за ним видно стан і строки звернення:',
    open: 'Відкрити сторінку звернення',
    failed: 'Не вдалося підписатися. Спробуйте ще раз.',
  },
  en: {
    title: 'This may already be reported',
    intro: 'There are open appeals of this category nearby. If it is the same problem, follow one of them — no need to file a new one.',
    distance: (m) => `${m} m away`,
    since: 'registered',
    same: 'Same problem — follow it',
    needPhone: 'Enter your phone in the form below to follow the appeal.',
    done: (n) => `You are following appeal No. ${n}. No need to file a new one.`,
    keep: 'Keep the private link — it shows the appeal’s status and deadlines:',
    open: 'Open the appeal page',
    failed: 'Could not subscribe. Please try again.',
  },
};
const tx = () => TEXT[lang()] || TEXT.uk;

export function watchDuplicates({ category, lat, lon, phone, email, box }) {
  let found = [];
  let timer = null;
  let asked = '';
  let done = null;

  async function load() {
    const cat = category.value;
    const la = parseCoord(lat.value), lo = parseCoord(lon.value);
    if (!cat || !Number.isFinite(la) || !Number.isFinite(lo)) { found = []; render(); return; }
    const q = `/api/v1/duplicates?category=${encodeURIComponent(cat)}&lat=${la}&lon=${lo}`;
    if (q === asked) return;
    asked = q;
    try {
      const r = await api(q);
      found = r.ok && r.data ? r.data.appeals : [];
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      found = [];
    }
    render();
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(load, 300); };

  async function follow(a, button, note) {
    const p = normalizePhone(phone.value || '');
    if (!p) {
      note.textContent = tx().needPhone;
      phone.focus();
      return;
    }
    button.disabled = true;
    const body = { phone: phone.value };
    if (email.value.trim()) body.email = email.value.trim();
    let r = null;
    try { r = await api(`/api/v1/appeals/${a.number}/subscriptions`, { method: 'POST', body }); } catch { r = null; }
    button.disabled = false;
    if (!r || r.status !== 201) {
      note.textContent = (r && r.data && r.data.error && r.data.error.message) || tx().failed;
      return;
    }
    done = r.data;
    render();
  }

  function render() {
    box.replaceChildren();
    if (done) {
      const url = new URL(done.tracking_url, location.origin).href;
      box.append(
        el('h2', { text: tx().title }),
        el('p', { class: 'dup-done', role: 'status', text: tx().done(done.number) }),
        el('p', { text: tx().keep }),
        el('p', {}, el('a', { href: url, class: 'dup-link', text: url })),
        el('p', {}, el('a', { href: url, class: 'button', text: tx().open })));
      box.hidden = false;
      return;
    }
    box.hidden = found.length === 0;
    if (!found.length) return;
    const list = el('ul', { class: 'dup-list' });
    for (const a of found) {
      const note = el('p', { class: 'dup-note', 'aria-live': 'polite' });
      const button = el('button', { type: 'button', class: 'button', text: tx().same });
      button.addEventListener('click', () => follow(a, button, note));
      list.append(el('li', { class: 'dup-item' },
        el('p', {}, el('strong', { text: `№ ${a.number}` }), ' · ', nameOf(a.type), ' · ', statusWord(a.status)),
        el('p', { class: 'hint', text: `${tx().distance(a.distance_m)} · ${tx().since} ${dateTime(a.created_at)}` }),
        button, note));
    }
    box.append(el('h2', { text: tx().title }), el('p', { text: tx().intro }), list);
  }

  category.addEventListener('change', later);
  lat.addEventListener('input', later);
  lon.addEventListener('input', later);
  document.addEventListener('kontakt:pin', later);
  onLangChange(render);
  later();
}
