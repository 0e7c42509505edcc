// dashboard.html: analytics for analysts, supervisors and admins
// (docs/ANALYTICS.md). The view — period, filters, trend grouping, trial —
// lives in the address's query string (a shareable link; back and forward
// move between views); one GET /api/v1/stats/dashboard answers the KPI
// tiles, the charts (web/js/staff-dashboard-charts.js) and the problem
// points (web/js/staff-dashboard-map.js); the scorecards and the violation
// register of the same period come from /api/v1/scorecards and
// /api/v1/violations; the export buttons run an export job
// (POST /api/v1/stats/exports) with a progress bar, then download the file.
import { api, getCategories, getConfig, NetworkError } from './api.js';
import { say } from './common.js';
import { dateTime } from './format.js';
import { lang, nameOf } from './i18n.js';
import { el, errorText, fieldErrors, initStaff, onStaffLang, rememberOrgs, showError, st, staffApi } from './staff.js';
import { fmtDay, fmtInt, fmtNum, fmtPct, renderCharts } from './staff-dashboard-charts.js';
import { ensureMap, renderProblems } from './staff-dashboard-map.js';

const $ = (id) => document.getElementById(id);
const FILTERS = ['category', 'type', 'district', 'organisation', 'channel'];
const VIOL_PAGE = 20;
const POLL_MS = 700;
const DAY = 24 * 3600 * 1000;

let zone = 'Europe/Kyiv';
try { new Intl.DateTimeFormat('en', { timeZone: zone }); } catch { zone = 'Europe/Kiev'; }
const kyivDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
  .format(new Date(ms));
const addDays = (day, n) => new Date(Date.parse(day + 'T00:00:00Z') + n * DAY).toISOString().slice(0, 10);

const state = {
  config: null, categories: [], districts: [], orgs: [], channels: [],
  view: null, data: null, cards: null, cardsSort: { key: 'appeals', desc: true },
  viol: null, violOffset: 0, seq: 0, exporting: false,
};

// ---- the view <-> the address and the form

function defaultView() {
  const to = kyivDay(Date.now());
  return { from: addDays(to, -29), to, group: 'day', include_trial: false,
    category: '', type: '', district: '', organisation: '', channel: '' };
}

function viewFromUrl() {
  const q = new URLSearchParams(location.search);
  const v = defaultView();
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (day.test(q.get('from') || '')) v.from = q.get('from');
  if (day.test(q.get('to') || '')) v.to = q.get('to');
  for (const k of FILTERS) v[k] = q.get(k) || '';
  v.group = q.get('group') === 'week' ? 'week' : 'day';
  v.include_trial = q.get('include_trial') === '1';
  return v;
}

// The API's query string for a view (also the address's, with `lang` kept).
function queryOf(v) {
  const q = new URLSearchParams({ from: v.from, to: v.to });
  for (const k of FILTERS) if (v[k]) q.set(k, v[k]);
  if (v.group === 'week') q.set('group', 'week');
  if (v.include_trial) q.set('include_trial', '1');
  return q;
}

function viewFromForm() {
  const v = { from: $('f-from').value, to: $('f-to').value, group: $('f-group').value,
    include_trial: $('f-trial').checked };
  for (const k of FILTERS) v[k] = $('f-' + k).value;
  return v;
}

function option(value, text) { return el('option', { value, text }); }

function fillTypes(category, chosen) {
  const sel = $('f-type');
  const cat = state.categories.find((c) => c.code === category);
  sel.replaceChildren(option('', st('dash.anyType')),
    ...(cat ? cat.types.map((ty) => option(ty.code, nameOf(ty))) : []));
  sel.disabled = !cat;
  sel.value = cat && cat.types.some((ty) => ty.code === chosen) ? chosen : '';
}

function fillSelects() {
  const keep = (id, items, label) => {
    const sel = $(id);
    const chosen = sel.value;
    sel.replaceChildren(option('', st('dash.any')), ...items.map((x) => option(x.code, label(x))));
    sel.value = chosen;
  };
  keep('f-category', state.categories, nameOf);
  keep('f-district', state.districts, nameOf);
  keep('f-organisation', state.orgs, nameOf);
  keep('f-channel', state.channels.map((c) => ({ code: c })), (c) => st('channel.' + c.code));
  fillTypes($('f-category').value, $('f-type').value);
}

function formFromView(v) {
  $('f-from').value = v.from;
  $('f-to').value = v.to;
  $('f-group').value = v.group;
  $('f-trial').checked = v.include_trial;
  for (const k of FILTERS) {
    const sel = $('f-' + k);
    if (k === 'type') continue;
    sel.value = v[k];
    // a code the lists do not know (an old link): keep it, the server says what is wrong
    if (v[k] && sel.value !== v[k]) { sel.append(option(v[k], v[k])); sel.value = v[k]; }
  }
  fillTypes(v.category, v.type);
  if (v.type && $('f-type').value !== v.type) { $('f-type').append(option(v.type, v.type)); $('f-type').value = v.type; }
}

// ---- loading

async function call(path, opts) {
  try {
    const r = await staffApi(path, opts);
    return r;
  } catch (e) {
    if (e instanceof NetworkError) return { ok: false, status: 0, data: null, network: true };
    throw e;
  }
}

// An error answer in words: the message and what it says of each field.
const problemText = (r) => (r.network ? st('err.network') : [errorText(r), ...fieldErrors(r)].join(' '));

// Shows view `v`: the dashboard, the scorecards and the register.
async function show(v) {
  const seq = ++state.seq;
  state.view = v;
  say($('dash-status'), st('dash.loading'));
  $('dash').setAttribute('aria-busy', 'true');
  const r = await call('/api/v1/stats/dashboard?' + queryOf(v));
  if (seq !== state.seq) return; // a newer view was asked for meanwhile
  $('dash').removeAttribute('aria-busy');
  if (!r.ok) {
    if (r.status === 401) return;
    if (r.status === 403) { forbidden(); return; }
    showError($('filter-error'), r, r.network ? st('err.network') : undefined);
    say($('dash-status'), '');
    return;
  }
  $('filter-error').hidden = true;
  state.data = normalise(r.data);
  renderDashboard();
  state.violOffset = 0;
  await Promise.all([loadCards(v, seq), loadViol(v, seq)]);
}

// Every list the page draws, present even when the answer left one out.
function normalise(d) {
  for (const k of ['by_category', 'by_type', 'by_district', 'by_organisation', 'by_channel', 'by_hour', 'trend']) {
    if (!Array.isArray(d[k])) d[k] = [];
  }
  const pp = d.problem_points || {};
  d.problem_points = { min_repeats: pp.min_repeats || 3, addresses: pp.addresses || [], areas: pp.areas || [], heat: pp.heat || [] };
  d.totals = d.totals || {};
  return d;
}

function forbidden() {
  $('filters').hidden = true;
  $('dash').hidden = true;
  say($('page-error'), st('dash.forbidden'));
}

// ---- KPI tiles

function tile(key, label, value, sub, bad) {
  return el('div', { class: 'kpi' + (bad ? ' kpi-bad' : ''), 'data-kpi': key },
    el('dt', { text: label }),
    el('dd', {}, el('span', { class: 'kpi-value', text: value }), sub ? el('span', { class: 'kpi-sub', text: sub }) : null));
}

const hours = (h) => (h === null || h === undefined ? st('dash.none') : st('kpi.hours', { n: fmtNum(h) }));

function renderKpis(tt, includeTrial) {
  $('kpis').replaceChildren(
    tile('appeals', st('kpi.appeals'), fmtInt(tt.appeals)),
    tile('open_now', st('kpi.openNow'), fmtInt(tt.open_now), st('kpi.anyDate')),
    tile('overdue_now', st('kpi.overdueNow'), fmtInt(tt.overdue_now), st('kpi.anyDate'), tt.overdue_now > 0),
    tile('on_time_share', st('kpi.onTime'), fmtPct(tt.on_time_share), st('kpi.finished', { n: fmtInt(tt.finished) })),
    tile('reopen_share', st('kpi.reopen'), fmtPct(tt.reopen_share), st('kpi.finished', { n: fmtInt(tt.finished) })),
    tile('median_hours_to_done', st('kpi.median'), hours(tt.median_hours_to_done)),
    tile('p90_hours_to_done', st('kpi.p90'), hours(tt.p90_hours_to_done)),
    tile('average_rating', st('kpi.rating'), fmtNum(tt.average_rating, 2), st('kpi.ratings', { n: fmtInt(tt.ratings) })),
    includeTrial ? tile('trial_left_out', st('kpi.trialIncluded'), '✓')
      : tile('trial_left_out', st('kpi.trial'), fmtInt(tt.trial_left_out)));
}

function filterWords(d) {
  const f = d.filters || {};
  const words = [];
  const cat = state.categories.find((c) => c.code === f.category);
  if (f.category) words.push(cat ? nameOf(cat) : f.category);
  if (f.type) {
    const ty = cat && cat.types.find((x) => x.code === f.type);
    words.push(ty ? nameOf(ty) : f.type);
  }
  if (f.district) { const x = state.districts.find((y) => y.code === f.district); words.push(x ? nameOf(x) : f.district); }
  if (f.organisation) { const x = state.orgs.find((y) => y.code === f.organisation); words.push(x ? nameOf(x) : f.organisation); }
  if (f.channel) words.push(st('channel.' + f.channel));
  if (d.include_trial) words.push(st('dash.withTrial'));
  return words;
}

function renderDashboard() {
  const d = state.data;
  if (!d) return;
  const words = filterWords(d);
  say($('dash-status'), st('dash.status', { from: fmtDay(d.from), to: fmtDay(d.to),
    filters: words.length ? st('dash.statusFilters', { list: words.join(', ') }) : '', at: dateTime(d.generated_at) }));
  renderKpis(d.totals, d.include_trial);
  renderCharts($('charts'), d, { from: fmtDay(d.from), to: fmtDay(d.to) });
  renderProblems(d.problem_points);
}

// ---- scorecards (sortable) and the violation register

const CARD_COLS = [
  { key: 'organisation', label: 'dash.col.org', text: (c) => nameOf(c.organisation), sort: (c) => nameOf(c.organisation) },
  { key: 'appeals', label: 'card.appeals', num: true, text: (c) => fmtInt(c.appeals) },
  { key: 'on_time_share', label: 'card.onTime', num: true, text: (c) => fmtPct(c.on_time_share) },
  { key: 'overdue_now', label: 'card.overdueNow', num: true, text: (c) => fmtInt(c.overdue_now), bad: (c) => c.overdue_now > 0 },
  { key: 'median_hours_to_done', label: 'card.median', num: true, text: (c) => fmtNum(c.median_hours_to_done) },
  { key: 'reopen_share', label: 'card.reopen', num: true, text: (c) => fmtPct(c.reopen_share) },
  { key: 'average_rating', label: 'card.rating', num: true, text: (c) => fmtNum(c.average_rating, 2) },
  { key: 'violations', label: 'card.violations', num: true, text: (c) => fmtInt(c.violations), bad: (c) => c.violations > 0 },
];

function sortCards(items) {
  const { key, desc } = state.cardsSort;
  const col = CARD_COLS.find((c) => c.key === key);
  const val = col.sort || ((c) => c[key]);
  const name = (c) => nameOf(c.organisation);
  return [...items].sort((a, b) => {
    const x = val(a), y = val(b);
    // "nothing to divide" (null) always last, whichever the direction
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    let c = 0;
    if (typeof x === 'string') c = x.localeCompare(y, lang());
    else if (x !== y) c = x < y ? -1 : 1;
    return (desc ? -c : c) || name(a).localeCompare(name(b), lang());
  });
}

function renderCards() {
  const cards = state.cards;
  if (!cards) return;
  // the period asked for (the answer's from/to are instants)
  $('cards-caption').textContent = st('dash.cardsCaption', { from: fmtDay(state.cardsPeriod.from), to: fmtDay(state.cardsPeriod.to) });
  const { key, desc } = state.cardsSort;
  $('cards-table').tHead.rows[0].replaceChildren(...CARD_COLS.map((c) => el('th', {
    scope: 'col', class: c.num ? 'num' : null,
    'aria-sort': c.key === key ? (desc ? 'descending' : 'ascending') : null,
  }, el('button', {
    type: 'button', class: 'sort-button', 'data-sort': c.key, 'aria-label': st('dash.sortBy', { col: st(c.label) }),
    onclick: () => {
      state.cardsSort = { key: c.key, desc: c.key === key ? !desc : c.key !== 'organisation' };
      renderCards();
      const b = $('cards-table').querySelector(`[data-sort="${c.key}"]`);
      if (b) b.focus();
    },
  }, st(c.label), el('span', { class: 'sort-mark', 'aria-hidden': 'true', text: c.key === key ? (desc ? ' ▼' : ' ▲') : '' })))));
  $('cards-table').tBodies[0].replaceChildren(...sortCards(cards.items).map((c) => el('tr', {
    class: state.view && state.view.organisation === c.organisation.code ? 'row-chosen' : null,
  }, CARD_COLS.map((col, i) => el(i === 0 ? 'th' : 'td', {
    scope: i === 0 ? 'row' : null,
    class: [col.num ? 'num' : '', col.bad && col.bad(c) ? 'bad' : ''].join(' ').trim() || null,
    text: col.text(c),
  })))));
}

async function loadCards(v, seq) {
  const r = await call(`/api/v1/scorecards?from=${v.from}&to=${v.to}`);
  if (seq !== state.seq) return;
  if (!r.ok) { if (r.status !== 401) say($('cards-error'), problemText(r)); return; }
  say($('cards-error'), '');
  state.cards = r.data;
  state.cardsPeriod = { from: v.from, to: v.to };
  renderCards();
}

function renderViol() {
  const v = state.viol;
  if (!v) return;
  $('viol-table').tBodies[0].replaceChildren(...v.items.map((i) => el('tr', {},
    el('th', { scope: 'row', text: i.appeal }),
    el('td', { text: nameOf(i.organisation) }),
    el('td', { text: st('violation.' + i.kind) }),
    i.user ? el('td', { text: i.user }) : el('td', { class: 'nobody', text: st('dash.nobody') }),
    el('td', { text: dateTime(i.at) }),
    el('td', { class: 'v-note', text: i.note || '' }))));
  $('viol-total').textContent = v.total === 0 ? st('dash.violEmpty')
    : st('dash.violTotal', { total: fmtInt(v.total), first: v.offset + 1, last: v.offset + v.items.length });
  $('viol-prev').disabled = v.offset === 0;
  $('viol-next').disabled = v.offset + v.items.length >= v.total;
}

async function loadViol(v, seq) {
  const q = new URLSearchParams({ from: v.from, to: v.to, limit: String(VIOL_PAGE), offset: String(state.violOffset) });
  if (v.organisation) q.set('organisation', v.organisation);
  const r = await call('/api/v1/violations?' + q);
  if (seq !== state.seq) return;
  if (!r.ok) { if (r.status !== 401) say($('viol-error'), problemText(r)); return; }
  say($('viol-error'), '');
  state.viol = r.data;
  renderViol();
}

// ---- exports: a job on the server, its progress, then the file

function exportSay(text) { $('export-status').textContent = text; }

// The export's panel (fixed at the bottom of the window: seen from a
// chart's CSV button too) stays until closed or the next export.
function closeExport() {
  if (state.exporting) return;
  $('export-panel').hidden = true;
  exportSay('');
  say($('export-error'), '');
}

// format "xlsx": the workbook (a sheet per section and the appeals);
// "csv": one table — the appeals of the view, or a section (view
// "categories", "trend", … as the charts' CSV buttons ask).
async function runExport(format, view) {
  if (state.exporting || !state.view) return;
  const label = format.toUpperCase();
  const buttons = [...document.querySelectorAll('[data-format]')];
  const bar = $('export-progress');
  say($('export-error'), '');
  $('export-panel').hidden = false;
  $('export-close').hidden = true;
  state.exporting = true;
  buttons.forEach((b) => { b.disabled = true; });
  bar.removeAttribute('value'); // indeterminate until the job says how many rows
  $('export-box').hidden = false;
  exportSay(st('dash.exportQueued', { format: label }));
  const fail = (text) => { say($('export-error'), text); exportSay(''); $('export-box').hidden = true; };
  try {
    const body = { format, query: queryOf(state.view).toString() };
    if (view) body.view = view;
    const r = await call('/api/v1/stats/exports', { method: 'POST', body });
    if (!r.ok || !r.data || !r.data.id) { if (r.status !== 401) fail(problemText(r)); return; }
    const job = r.data;
    const progressUrl = job.progress_url || `/api/v1/stats/exports/${encodeURIComponent(job.id)}`;
    const fileUrl = job.file_url || `${progressUrl}/file`;
    for (;;) {
      const p = await call(progressUrl);
      if (!p.ok) { fail(p.network ? st('dash.exportLost') : problemText(p)); return; }
      const s = p.data;
      if (Number.isFinite(s.rows_total) && s.rows_total > 0) {
        bar.max = s.rows_total;
        bar.value = Math.min(s.rows_done || 0, s.rows_total);
        exportSay(st('dash.exportRows', { done: fmtInt(s.rows_done || 0), total: fmtInt(s.rows_total) }));
      } else if (s.rows_done) {
        exportSay(st('dash.exportRowsOnly', { done: fmtInt(s.rows_done) }));
      }
      if (s.state === 'failed') { fail(s.error && s.error.message ? s.error.message : st('dash.exportFailed')); return; }
      if (s.state === 'done') break;
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
    bar.max = 1; bar.value = 1;
    // an <a download> click: the browser saves the answer (attachment) and the page stays
    const a = el('a', { href: fileUrl, download: '', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    exportSay(st('dash.exportDone', { format: label }));
  } finally {
    state.exporting = false;
    buttons.forEach((b) => { b.disabled = false; });
    $('export-close').hidden = false;
  }
}

// ---- wiring

function go(v, push = true) {
  if (!v.from || !v.to || v.from > v.to) {
    showError($('filter-error'), null, st('dash.badPeriod'));
    $('f-from').setAttribute('aria-invalid', 'true');
    $('f-from').focus();
    return;
  }
  $('f-from').removeAttribute('aria-invalid');
  const url = new URL(location.href);
  const keepLang = url.searchParams.get('lang');
  const q = queryOf(v);
  if (keepLang) q.set('lang', keepLang);
  url.search = q.toString();
  if (push && url.href !== location.href) history.pushState(null, '', url);
  show(v);
}

function quick(kind) {
  const to = kyivDay(Date.now());
  let from = to;
  if (kind === '7') from = addDays(to, -6);
  else if (kind === '30') from = addDays(to, -29);
  else if (kind === 'month') from = to.slice(0, 8) + '01';
  else if (kind === 'year') from = to.slice(0, 5) + '01-01';
  $('f-from').value = from;
  $('f-to').value = to;
  go(viewFromForm());
}

function wire() {
  $('filters').addEventListener('submit', (ev) => { ev.preventDefault(); go(viewFromForm()); });
  $('f-category').addEventListener('change', () => fillTypes($('f-category').value, ''));
  for (const b of document.querySelectorAll('[data-quick]')) b.addEventListener('click', () => quick(b.dataset.quick));
  $('f-reset').addEventListener('click', () => {
    const v = { ...viewFromForm(), category: '', type: '', district: '', organisation: '', channel: '', include_trial: false };
    formFromView(v);
    go(v);
  });
  window.addEventListener('popstate', () => { const v = viewFromUrl(); formFromView(v); show(v); });
  $('viol-prev').addEventListener('click', () => { state.violOffset = Math.max(0, state.violOffset - VIOL_PAGE); loadViol(state.view, state.seq); });
  $('viol-next').addEventListener('click', () => { state.violOffset += VIOL_PAGE; loadViol(state.view, state.seq); });
  for (const b of [$('export-xlsx'), $('export-csv')]) b.addEventListener('click', () => runExport(b.dataset.format));
  $('export-close').addEventListener('click', closeExport);
  // the charts' and the problem points' own CSV buttons
  $('dash').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-export-view]');
    if (b) runExport('csv', b.dataset.exportView);
  });
  onStaffLang(() => {
    document.title = st('dash.pageTitle');
    fillSelects();
    $('export-xlsx').setAttribute('aria-label', st('dash.exportXlsx'));
    $('export-csv').setAttribute('aria-label', st('dash.exportCsv'));
    renderDashboard();
    renderCards();
    renderViol();
  });
}

async function loadLists() {
  const [config, categories, districts] = await Promise.all([
    getConfig().catch(() => null),
    getCategories().catch(() => []),
    api('/api/v1/districts').then((r) => (r.ok && r.data ? (Array.isArray(r.data) ? r.data : r.data.districts) : []))
      .catch(() => []),
  ]);
  state.config = config;
  state.categories = categories;
  state.districts = Array.isArray(districts) ? districts : [];
  state.orgs = rememberOrgs(categories).sort((a, b) => nameOf(a).localeCompare(nameOf(b), lang()));
  state.channels = config && Array.isArray(config.channels) ? config.channels : ['web', 'mobile', 'phone', 'email', 'open311'];
}

async function main() {
  document.title = st('dash.pageTitle');
  // never resolves when the page goes elsewhere (no session: sign-in; a role
  // without the reports right: its home page)
  await initStaff('dashboard');
  await loadLists();
  wire();
  fillSelects();
  $('export-xlsx').setAttribute('aria-label', st('dash.exportXlsx'));
  $('export-csv').setAttribute('aria-label', st('dash.exportCsv'));
  const v = viewFromUrl();
  formFromView(v);
  $('filters').hidden = false;
  $('dash').hidden = false;
  ensureMap(state.config);
  await show(v);
}

main();
