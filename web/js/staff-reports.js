// reports.html: the scorecards per service for a period and the violations
// register with filters, paging and a CSV download (docs/API.md, Reports).
// Supervisors, analysts and admins. The session, the header (user, nav,
// logout, language switch), the sign-in redirect and sending another role to
// its home are web/js/staff.js's initStaff('reports'); the page's own texts
// are in web/js/i18n.js (reports.*), the header's in web/js/staff-text.js.
import { say } from './common.js';
import { t, nameOf, locale } from './i18n.js';
import { dateTime } from './format.js';
import { el, initStaff, NetworkError, onStaffLang, staffApi } from './staff.js';

const PAGE = 50;
const $ = (id) => document.getElementById(id);

let zone = 'Europe/Kyiv';
try { new Intl.DateTimeFormat('en', { timeZone: zone }); } catch { zone = 'Europe/Kiev'; }

// YYYY-MM-DD of a day in Kyiv (what the API reads a date as).
function kyivDay(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(ms));
}

const state = { cards: null, cardsPeriod: null, viol: null, offset: 0 };

function messageOf(res) {
  return res.data && res.data.error ? res.data.error.message : t('error.server');
}

// Runs an API call; a network failure is said. A session that ended is
// staffApi's: off to the sign-in page and back.
async function load(path) {
  let res;
  try { res = await staffApi(path); } catch (e) {
    if (e instanceof NetworkError) return { ok: false, status: 0, message: t('error.network') };
    throw e;
  }
  if (res.status === 401) return { ok: false, status: 401, message: '' };
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

function wire() {
  $('cards-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadCards(); });
  $('viol-form').addEventListener('submit', (ev) => { ev.preventDefault(); state.offset = 0; loadViol(); });
  $('viol-form').addEventListener('change', () => { $('viol-csv').href = '/api/v1/violations?' + violQuery({ format: 'csv' }); });
  $('viol-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); loadViol(); });
  $('viol-next').addEventListener('click', () => { state.offset += PAGE; loadViol(); });
  // i18n's setLang has already redone the data-i18n texts; initStaff redoes
  // the header (data-st, user, nav) and then calls this.
  onStaffLang(() => {
    document.title = t('reports.pageTitle');
    renderCards();
    renderViol();
  });
}

async function main() {
  document.title = t('reports.pageTitle');
  // never resolves when the page goes elsewhere (no session: sign-in; a role
  // that may not see reports: its home page)
  await initStaff('reports');
  wire();
  const now = Date.now();
  $('cards-from').value = kyivDay(now - 30 * 24 * 3600 * 1000);
  $('cards-to').value = kyivDay(now);
  $('cards').hidden = false;
  $('viol').hidden = false;
  await loadCards();
  if (!$('cards').hidden) await loadViol();
}

main();
