// Shared by the staff pages (web/staff/*.html): the session (GET
// /api/v1/auth/me, or off to the login page), a fetch wrapper that sends
// X-CSRF-Token on every request other than GET, the header with the user,
// the pages their role may use and the logout button, and the staff texts.
import { api, getCategories, getConfig, NetworkError } from './api.js';
import { el } from './common.js';
import { lang, setLang, onLangChange, applyI18n } from './i18n.js';
import { TEXT } from './staff-text.js';

export { el, NetworkError };

// Staff texts: st('key', {vars}); Ukrainian when a key has no English.
export function st(key, vars) {
  let s = (TEXT[lang()] || TEXT.uk)[key];
  if (s === undefined) s = TEXT.uk[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

// <x data-st="key">, <x data-st-attr="placeholder:key;aria-label:key2">.
export function applyStaffText(root = document) {
  for (const n of root.querySelectorAll('[data-st]')) n.textContent = st(n.dataset.st);
  for (const n of root.querySelectorAll('[data-st-attr]')) {
    for (const pair of n.dataset.stAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) n.setAttribute(attr.trim(), st(key.trim()));
    }
  }
}

// The pages of the staff area and the rights that open them: the session
// answer lists the caller's rights (the server's one table, docs/STAFF.md),
// so the pages never copy which role may do what.
export const PAGES = [
  { id: 'operator', href: '/staff/operator.html', rights: ['console'] },
  { id: 'queue', href: '/staff/queue.html', rights: ['queue_org', 'queue_triage', 'queue_control'] },
  { id: 'dashboard', href: '/staff/dashboard.html', rights: ['reports'] },
  { id: 'reports', href: '/staff/reports.html', rights: ['reports'] },
  { id: 'users', href: '/staff/users.html', rights: ['users'] },
];

// Where each role starts (a preference, not a right: a role's home must
// also be one of the pages its rights open; otherwise the first one).
const HOME = {
  operator: 'operator', dispatcher: 'queue', executor: 'queue',
  supervisor: 'queue', analyst: 'dashboard', admin: 'users',
};

export const mayOpen = (rights, pageId) => {
  const p = PAGES.find((x) => x.id === pageId);
  return Boolean(p && Array.isArray(rights) && p.rights.some((r) => rights.includes(r)));
};

export function homeOf(role, rights) {
  const open = PAGES.filter((p) => mayOpen(rights, p.id));
  const p = open.find((x) => x.id === HOME[role]) || open[0];
  return p ? p.href : '/staff/login.html';
}

// A `next` target only when it is a path on this site ("/x", not "//host").
// The answer is the full URL, never the bare path: a path can normalise to
// "//evil.example" ("/.//evil.example"), which a browser reads as another host.
export function safeNext(text) {
  const s = String(text || '');
  if (!s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\')) return null;
  try {
    const u = new URL(s, location.origin);
    if (u.origin !== location.origin || u.pathname.startsWith('//')) return null;
    return u.href;
  } catch { return null; }
}

export const session = { user: null, csrf: null, rights: [] };

export function toLogin() {
  const next = location.pathname + location.search + location.hash;
  location.replace('/staff/login.html?next=' + encodeURIComponent(next));
}

// api() with the CSRF token on every method other than GET. A 401 means the
// session ended (idle or logged out elsewhere): off to the login page.
export async function staffApi(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { ...(opts.headers || {}) };
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const r = await api(path, { ...opts, method, headers });
  if (r.status === 401 && r.data && r.data.error && r.data.error.code === 'auth_required') {
    toLogin();
  }
  return r;
}

// The message of an error answer (already in the request's language).
export function errorText(r) {
  const e = r && r.data && r.data.error;
  if (e && e.message) return e.message;
  if (r && r.status === 429) return st('err.rate');
  return st('err.server', { status: r ? r.status : '—' });
}

// "Field: message" lines of a 422 answer.
export function fieldErrors(r) {
  const f = r && r.data && r.data.error && r.data.error.fields;
  return f ? Object.values(f).map((x) => x.message) : [];
}

// Shows an error answer in `box` (role=alert): the message and its fields.
export function showError(box, r, extra) {
  const lines = fieldErrors(r);
  box.replaceChildren(el('p', { class: 'alert-title', text: extra || errorText(r) }),
    lines.length ? el('ul', {}, lines.map((m) => el('li', { text: m }))) : null);
  box.hidden = false;
}

export function roleWord(role) { return st('role.' + role); }

function renderHeader(pageId) {
  const u = session.user;
  const nav = document.getElementById('staff-nav');
  if (nav && u) {
    nav.replaceChildren(...PAGES.filter((p) => mayOpen(session.rights, p.id)).map((p) =>
      el('li', {}, el('a', { href: p.href, 'aria-current': p.id === pageId ? 'page' : null, text: st('page.' + p.id) }))));
  }
  const who = document.getElementById('staff-who');
  if (who && u) {
    who.replaceChildren(el('span', { class: 'who-name', text: u.name || u.login }),
      el('span', { class: 'who-role', text: roleWord(u.role) + (u.organisation ? ' · ' + orgName(u.organisation) : '') }));
  }
  const sw = document.getElementById('lang-switch');
  if (sw) {
    sw.textContent = lang() === 'uk' ? 'English' : 'Українська';
    sw.setAttribute('lang', lang() === 'uk' ? 'en' : 'uk');
  }
}

// Organisation codes → names, from the catalogue (filled by loadOrgs()).
const orgNames = new Map();
export function orgName(o) {
  if (!o) return '';
  if (typeof o === 'object') return o['name_' + lang()] || o.name_uk || o.code || '';
  const k = orgNames.get(o);
  return k ? (k['name_' + lang()] || k.name_uk) : o;
}
export function rememberOrgs(categories) {
  for (const c of categories) {
    if (c.organisation && c.organisation.code) orgNames.set(c.organisation.code, c.organisation);
    for (const ty of c.types || []) if (ty.organisation && ty.organisation.code) orgNames.set(ty.organisation.code, ty.organisation);
  }
  return [...orgNames.values()];
}

// The trial banner (<p id="trial-banner" data-i18n="trial.banner">, as on
// the public pages): shown when the server runs in trial mode (GET
// /api/v1/config → trial), so nobody takes trial appeals for real ones.
export async function showTrialBanner() {
  const banner = document.getElementById('trial-banner');
  if (!banner) return;
  let config = null;
  try { config = await getConfig(); } catch { config = null; }
  banner.hidden = !(config && config.trial);
}

let refreshers = [];
export function onStaffLang(fn) { refreshers.push(fn); }

// Every staff page starts here. Returns the user, or never resolves when
// the page is going to the login page (no session, or a role that may not
// open it: then to the role's home).
export async function initStaff(pageId) {
  applyI18n();
  applyStaffText();
  showTrialBanner();
  let r;
  try {
    r = await api('/api/v1/auth/me');
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    const box = document.getElementById('staff-status');
    if (box) { box.textContent = st('err.network'); box.hidden = false; }
    return new Promise(() => {});
  }
  if (r.status === 401 || !r.ok || !r.data || !r.data.user) {
    toLogin();
    return new Promise(() => {});
  }
  session.user = r.data.user;
  session.csrf = r.data.csrf_token;
  session.rights = Array.isArray(r.data.rights) ? r.data.rights : [];
  if (pageId && !mayOpen(session.rights, pageId)) {
    location.replace(homeOf(session.user.role, session.rights));
    return new Promise(() => {});
  }
  try { rememberOrgs(await getCategories()); } catch { /* codes instead of names */ }
  renderHeader(pageId);
  const sw = document.getElementById('lang-switch');
  if (sw) sw.addEventListener('click', () => setLang(lang() === 'uk' ? 'en' : 'uk'));
  onLangChange(() => { applyStaffText(); renderHeader(pageId); for (const fn of refreshers) fn(); });
  const out = document.getElementById('logout');
  if (out) {
    out.addEventListener('click', async () => {
      out.disabled = true;
      try { await staffApi('/api/v1/auth/logout', { method: 'POST' }); } catch { /* gone anyway */ }
      location.assign('/staff/login.html');
    });
  }
  document.body.classList.add('is-ready');
  return session.user;
}

// A random Idempotency-Key (crypto.randomUUID needs a secure context).
export function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
