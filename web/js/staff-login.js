// The staff login (POST /api/v1/auth/login): login and password, then the
// TOTP code when the answer is 401 totp_required; on success to `next`
// (a path on this site) or the role's home page.
import { api, NetworkError } from './api.js';
import { lang, setLang, onLangChange, applyI18n } from './i18n.js';
import { applyStaffText, el, homeOf, safeNext, showTrialBanner, st } from './staff.js';

const $ = (id) => document.getElementById(id);
let needTotp = false;

function renderSwitch() {
  const sw = $('lang-switch');
  sw.textContent = lang() === 'uk' ? 'English' : 'Українська';
  sw.setAttribute('lang', lang() === 'uk' ? 'en' : 'uk');
}

function fail(text, focusId) {
  const box = $('login-error');
  box.replaceChildren(el('p', { class: 'alert-title', text }));
  box.hidden = false;
  if (focusId) {
    const f = $(focusId);
    f.setAttribute('aria-invalid', 'true');
    f.focus();
    f.select?.();
  } else box.focus();
}

function waitText(seconds) {
  const n = Math.max(1, Math.ceil(seconds / 60));
  return st('login.wait', { n });
}

// Signed in (answer: the login or /auth/me session): to `next`, or home.
function go(answer) {
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const loop = next && new URL(next).pathname === '/staff/login.html';
  location.assign(next && !loop ? next : homeOf(answer.user.role, answer.rights));
}

async function submit(ev) {
  ev.preventDefault();
  for (const id of ['login', 'password', 'totp']) $(id).removeAttribute('aria-invalid');
  const login = $('login').value.trim();
  const password = $('password').value;
  if (!login) return fail(st('login.needLogin'), 'login');
  if (!password) return fail(st('login.needPassword'), 'password');
  const body = { login, password };
  const code = $('totp').value.replace(/\s+/g, '');
  if (needTotp) {
    if (!/^\d{6,8}$/.test(code)) return fail(st('login.needTotp'), 'totp');
    body.totp = code;
  }
  const button = $('login-submit');
  button.disabled = true;
  let r;
  try {
    r = await api('/api/v1/auth/login', { method: 'POST', body });
  } catch (e) {
    button.disabled = false;
    if (!(e instanceof NetworkError)) throw e;
    return fail(st('err.network'));
  }
  button.disabled = false;
  if (r.ok && r.data && r.data.user) return go(r.data);
  const err = (r.data && r.data.error) || {};
  const msg = err.message || st('err.server', { status: r.status });
  if (err.code === 'totp_required') {
    needTotp = true;
    $('totp-field').hidden = false;
    $('login-error').hidden = true;
    $('totp').focus();
    return;
  }
  if (err.code === 'invalid_totp') return fail(msg, 'totp');
  if (err.code === 'invalid_credentials') {
    $('password').value = '';
    $('totp').value = '';
    return fail(msg, 'password');
  }
  if (r.status === 429) {
    const after = Number(r.headers.get('Retry-After'));
    return fail(Number.isFinite(after) && after > 0 ? `${msg} ${waitText(after)}` : msg);
  }
  return fail(msg);
}

async function main() {
  applyI18n();
  showTrialBanner();
  applyStaffText();
  renderSwitch();
  $('lang-switch').addEventListener('click', () => setLang(lang() === 'uk' ? 'en' : 'uk'));
  onLangChange(() => { applyStaffText(); renderSwitch(); });
  $('login-form').addEventListener('submit', submit);
  $('login').focus();
  // Already signed in (a bookmarked login page): straight on.
  try {
    const r = await api('/api/v1/auth/me');
    if (r.ok && r.data && r.data.user) go(r.data);
  } catch { /* stay here */ }
}

main();
