// reports.html: the scorecards per service for a period and the violations
// register with filters, paging and a CSV download (docs/API.md, Reports).
// Supervisors, analysts and admins; anyone else signed in is told so, and
// without a session the page goes to the staff sign-in and back.
import { api, NetworkError } from './api.js';
import { initPage, el, say } from './common.js';
import { t, nameOf, locale, onLangChange } from './i18n.js';
import { dateTime } from './format.js';

const PAGE = 50;
const $ = (id) => document.getElementById(id);

let zone = 'Europe/Kyiv';
try { new Intl.DateTimeFormat('en', { timeZone: zone }); } catch { zone = 'Europe/Kiev'; }

// YYYY-MM-DD of a day in Kyiv (what the API reads a date as).
function kyivDay(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(ms));
}

const state = { me: null, cards: null, cardsPeriod: null, viol: null, offset: 0 };

function loginRedirect() {
  const next = location.pathname + location.search;
  location.assign('/staff/login.html?next=' + encodeURIComponent(next));
}

function messageOf(res) {
  return res.data && res.data.error ? res.data.error.message : t('error.server');
}

// Runs an API call; a lost session goes to sign-in, a network failure is said.
async function load(path) {
  let res;
  try { res = await api(path); } catch (e) {
    if (e instanceof NetworkError) return { ok: false, status: 0, message: t('error.network') };
    throw e;
  }
  if (res.status === 401) { loginRedirect(); return { ok: false, status: 401, message: '' }; }
  return res.ok ? res : { ok: false, status: res.status, message: messageOf(res), data: res.data };
}

const pct = (x) => (x === null ? t('reports.none') : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(x));
const num = (x, digits = 1) => (x === null ? t('reports.none') : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(x));

function renderCards() {
  if (!state.cards) return;
  const { from, to } = state.cardsPeriod;
  $('cards-caption').textContent = t('reports.cards.caption', { from, to });
  // the busiest services first: where the numbers mean most
  const items = [...state.cards.items].sort((a, b) => b.appeals - a.appeals
    || nameOf(a.organisation).localeCompare(nameOf(b.organisation), locale()));
  const rows = items.map((c) => el('tr', {},
    el('th', { scope: 'row', text: nameOf(c.organisation) }),
    el('td', { class: 'num', text: num(c.appeals, 0) }),
    el('td', { class: 'num', text: pct(c.on_time_share) }),
    el('td', { class: c.overdue_now > 0 ? 'num bad' : 'num', text: num(c.overdue_now, 0) }),
    el('td', { class: 'num', text: num(c.median_hours_to_done) }),
    el('td', { class: 'num', text: pct(c.reopen_share) }),
    el('td', { class: 'num', text: num(c.average_rating) }),
    el('td', { class: c.violations > 0 ? 'num bad' : 'num', text: num(c.violations, 0) })));
  $('cards-table').tBodies[0].replaceChildren(...rows);
  const select = $('viol-org');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '', 'data-i18n': 'reports.viol.any', text: t('reports.viol.any') }),
    ...state.cards.items.map((c) => el('option', { value: c.organisation.code, text: nameOf(c.organisation) })));
  select.value = chosen;
}

async function loadCards() {
  const from = $('cards-from').value, to = $('cards-to').value;
  if (!from || !to || from > to) { say($('cards-error'), t('reports.badPeriod')); return; }
  say($('cards-error'), '');
  const res = await load(`/api/v1/scorecards?from=${from}&to=${to}`);
  if (!res.ok) {
    if (res.status === 403) forbidden();
    else if (res.message) say($('cards-error'), res.message);
    return;
  }
  state.cards = res.data;
  state.cardsPeriod = { from, to };
  renderCards();
}

function violQuery(extra = {}) {
  const q = new URLSearchParams();
  for (const [key, id] of [['organisation', 'viol-org'], ['kind', 'viol-kind'], ['from', 'viol-from'], ['to', 'viol-to']]) {
    const v = $(id).value;
    if (v) q.set(key, v);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q.toString();
}

function renderViol() {
  const v = state.viol;
  if (!v) return;
  const rows = v.items.map((i) => el('tr', {},
    el('th', { scope: 'row', text: i.appeal }),
    el('td', { text: nameOf(i.organisation) }),
    el('td', { text: t('violation.' + i.kind) }),
    i.user ? el('td', { text: i.user }) : el('td', { class: 'nobody', text: t('reports.nobody') }),
    el('td', { text: dateTime(i.at) }),
    el('td', { class: 'v-note', text: i.note || '' })));
  $('viol-table').tBodies[0].replaceChildren(...rows);
  $('viol-total').textContent = v.total === 0 ? t('reports.viol.empty')
    : t('reports.viol.total', { total: v.total, first: v.offset + 1, last: v.offset + v.items.length });
  $('viol-prev').disabled = v.offset === 0;
  $('viol-next').disabled = v.offset + v.items.length >= v.total;
}

async function loadViol() {
  const from = $('viol-from').value, to = $('viol-to').value;
  if (from && to && from > to) { say($('viol-error'), t('reports.badPeriod')); return; }
  say($('viol-error'), '');
  $('viol-csv').href = '/api/v1/violations?' + violQuery({ format: 'csv' });
  const res = await load('/api/v1/violations?' + violQuery({ limit: PAGE, offset: state.offset }));
  if (!res.ok) {
    if (res.status === 403) forbidden();
    else if (res.message) say($('viol-error'), res.message);
    return;
  }
  state.viol = res.data;
  renderViol();
}

function forbidden() {
  $('cards').hidden = true;
  $('viol').hidden = true;
  say($('page-error'), t('reports.forbidden'));
}

function renderWho() {
  if (state.me) $('who').textContent = t('reports.signedIn', { name: state.me.user.name || state.me.user.login });
}

async function logout() {
  try {
    await api('/api/v1/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': state.me.csrf_token } });
  } catch { /* signed out or not: the sign-in page follows either way */ }
  loginRedirect();
}

function wire() {
  $('cards-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadCards(); });
  $('viol-form').addEventListener('submit', (ev) => { ev.preventDefault(); state.offset = 0; loadViol(); });
  $('viol-form').addEventListener('change', () => { $('viol-csv').href = '/api/v1/violations?' + violQuery({ format: 'csv' }); });
  $('viol-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); loadViol(); });
  $('viol-next').addEventListener('click', () => { state.offset += PAGE; loadViol(); });
  $('logout').addEventListener('click', logout);
  onLangChange(() => {
    document.title = t('reports.pageTitle');
    renderWho();
    renderCards();
    renderViol();
  });
}

async function main() {
  await initPage();
  document.title = t('reports.pageTitle');
  wire();
  const me = await load('/api/v1/auth/me');
  if (!me.ok) {
    if (me.message) say($('page-error'), me.message);
    return;
  }
  state.me = me.data;
  renderWho();
  $('logout').hidden = false;
  const now = Date.now();
  $('cards-from').value = kyivDay(now - 30 * 24 * 3600 * 1000);
  $('cards-to').value = kyivDay(now);
  $('cards').hidden = false;
  $('viol').hidden = false;
  await loadCards();
  if (!$('cards').hidden) await loadViol();
}

main();
