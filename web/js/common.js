// What every page shares: language switch, trial banner, emergency numbers,
// hotline, city name. Each page module calls initPage() first.
import { applyI18n, lang, nameOf, field, onLangChange, setLang, t } from './i18n.js';
import { getConfig } from './api.js';

let config = null;

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const telHref = (phone) => 'tel:' + String(phone).replace(/[^0-9+]/g, '');

function renderSwitch() {
  const b = document.getElementById('lang-switch');
  if (!b) return;
  const other = lang() === 'uk' ? 'en' : 'uk';
  b.textContent = t('lang.switch');
  b.setAttribute('lang', other);
  b.setAttribute('aria-label', t('lang.switchLabel'));
}

function renderEmergency() {
  const list = config && Array.isArray(config.emergency) ? config.emergency : null;
  for (const ul of document.querySelectorAll('[data-emergency-list]')) {
    if (!list) {
      // Static HTML already lists 101–104; only translate the names.
      for (const a of ul.querySelectorAll('a[data-phone]')) {
        a.querySelector('.em-name').textContent = t('emergency.' + a.dataset.phone);
        a.setAttribute('aria-label', `${t('emergency.call', { phone: a.dataset.phone })}: ${t('emergency.' + a.dataset.phone)}`);
      }
      continue;
    }
    ul.replaceChildren(...list.map((e) => {
      const name = nameOf(e) || t('emergency.' + e.phone);
      return el('li', {}, el('a', {
        class: 'em-link', href: telHref(e.phone), 'data-phone': e.phone,
        'aria-label': `${t('emergency.call', { phone: e.phone })}: ${name}`,
      }, el('span', { class: 'em-phone', text: e.phone }), el('span', { class: 'em-name', text: name })));
    }));
  }
}

function renderHotline() {
  const h = config && config.hotline;
  for (const box of document.querySelectorAll('[data-hotline]')) {
    if (!h || !h.phone) { box.hidden = true; continue; }
    const a = box.querySelector('[data-hotline-link]');
    a.href = telHref(h.phone);
    a.textContent = h.phone_display || h.phone;
    const hours = field(h, 'hours');
    const p = box.querySelector('[data-hotline-hours]');
    if (p) { p.textContent = hours ? t('hotline.hours', { hours }) : ''; p.hidden = !hours; }
    box.hidden = false;
  }
}

function renderCity() {
  const tag = document.getElementById('tagline');
  if (tag) {
    const city = config && config.city ? nameOf(config.city) : '';
    tag.textContent = city ? t('site.taglineCity', { city }) : t('site.tagline');
  }
  const banner = document.getElementById('trial-banner');
  if (banner) banner.hidden = !(config && config.trial);
}

function renderAll() {
  renderSwitch();
  renderEmergency();
  renderHotline();
  renderCity();
}

// Returns the config (or null when the API cannot be reached).
export async function initPage() {
  applyI18n();
  renderAll();
  const b = document.getElementById('lang-switch');
  if (b) b.addEventListener('click', () => setLang(lang() === 'uk' ? 'en' : 'uk'));
  onLangChange(renderAll);
  try { config = await getConfig(); } catch { config = null; }
  renderAll();
  return config;
}

// Shows a message in a status/alert element (empty text hides it).
export function say(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

// A tracking token from what a resident pastes: a whole link, "#token" or the token.
export function tokenFrom(text) {
  let s = String(text || '').trim();
  const hash = s.lastIndexOf('#');
  if (hash >= 0) s = s.slice(hash + 1);
  s = s.trim();
  return /^[A-Za-z0-9_-]{16,128}$/.test(s) ? s : null;
}

// Wires a "track my appeal" form (home and the tracking page).
export function wireTrackForm(form) {
  const input = form.querySelector('input');
  const err = form.querySelector('.field-error');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const raw = input.value.trim();
    const token = tokenFrom(raw);
    if (!token) {
      say(err, raw ? t('track.box.invalid') : t('track.box.empty'));
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    say(err, '');
    input.removeAttribute('aria-invalid');
    const target = '/track.html#' + token;
    if (location.pathname === '/track.html') location.hash = token;
    else location.assign(target);
  });
}
