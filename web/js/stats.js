// The public statistics page (web/stats.html): no sign-in. One call,
// GET /api/v1/stats/public?from=&to= (docs/ANALYTICS.md), drawn as charts
// (Chart.js from npm, /vendor/chart.js/) each with its numbers as a table,
// and links to the open data of the same period. The period is kept in the
// address (?from=&to=) so a view can be shared.
import { initPage, say } from './common.js';
import { addWords, applyI18n, locale, nameOf, onLangChange, t } from './i18n.js';
import { api, NetworkError } from './api.js';
import { WORDS } from './stats-text.js';

addWords(WORDS);

const OPEN_DATA_MAX_DAYS = 366;
const DAY = 86400000;
const $ = (id) => document.getElementById(id);

let ZONE = 'Europe/Kyiv';
try { new Intl.DateTimeFormat('en', { timeZone: ZONE }); } catch { ZONE = 'Europe/Kiev'; }

// --- dates as "YYYY-MM-DD" (Kyiv calendar days) -------------------------
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
const toMs = (d) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10));
const fromMs = (ms) => new Date(ms).toISOString().slice(0, 10);
const addDays = (d, n) => fromMs(toMs(d) + n * DAY);
const isDay = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d || '') && fromMs(toMs(d)) === d;
const days = (from, to) => Math.round((toMs(to) - toMs(from)) / DAY) + 1;

export function quickPeriod(kind, now = today()) {
  const y = now.slice(0, 4);
  const m = now.slice(0, 7);
  if (kind === 'month') return { from: m + '-01', to: now };
  if (kind === 'year') return { from: y + '-01-01', to: now };
  if (kind === 'prevMonth') {
    const last = addDays(m + '-01', -1);
    return { from: last.slice(0, 7) + '-01', to: last };
  }
  return { from: addDays(now, -29), to: now };
}

// --- formatting ------------------------------------------------------------
const num = (n) => new Intl.NumberFormat(locale()).format(n);
const pct = (x, digits = 1) => (x === null || x === undefined ? '—'
  : new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x));
const dayLong = (d) => new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' })
  .format(new Date(toMs(d)));
const dayShort = (d) => new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', day: 'numeric', month: 'short' })
  .format(new Date(toMs(d)));
const label = (o) => (o.code === null || o.code === undefined ? t('stats.noDistrict') : nameOf(o));

// --- tables -------------------------------------------------------------------
function fillTable(id, rows) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    cells.forEach((c, i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      else cell.className = 'num';
      cell.textContent = c;
      tr.append(cell);
    });
    return tr;
  }));
}

// --- charts (Chart.js; the tables carry the numbers when it is missing) ----
const charts = new Map();
const css = (v) => getComputedStyle(document.documentElement).getPropertyValue(v).trim();

function chart(id, type, labels, values, opts = {}) {
  charts.get(id)?.destroy();
  charts.delete(id);
  const canvas = $(id);
  canvas.setAttribute('aria-label', opts.label);
  canvas.textContent = opts.label; // fallback content
  canvas.parentElement.hidden = !window.Chart || values.length === 0;
  if (canvas.parentElement.hidden) return;
  const horizontal = type === 'bar';
  canvas.parentElement.style.height = horizontal ? `${Math.max(8, labels.length * 2.1 + 3)}rem` : '';
  const primary = css('--c-primary') || '#0b4a8b';
  // Long names are cut to what the axis can show on a phone; the table has them whole.
  const room = Math.max(12, Math.floor(canvas.parentElement.clientWidth / 19));
  charts.set(id, new window.Chart(canvas, {
    type,
    data: {
      labels,
      datasets: [{
        data: values, backgroundColor: horizontal ? primary : 'rgba(11, 74, 139, .15)', borderColor: primary,
        borderWidth: horizontal ? 0 : 2, fill: !horizontal, maxBarThickness: 28, pointRadius: values.length > 40 ? 0 : 3, tension: 0.2,
      }],
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: locale(),
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => (opts.percent ? pct(c.parsed[horizontal ? 'x' : 'y']) : num(c.parsed[horizontal ? 'x' : 'y'])) } },
      },
      scales: {
        [horizontal ? 'x' : 'y']: {
          beginAtZero: true,
          max: opts.percent ? 1 : undefined,
          ticks: { precision: 0, callback: (v) => (opts.percent ? pct(v, 0) : num(v)) },
        },
        [horizontal ? 'y' : 'x']: {
          ticks: { autoSkip: !horizontal, maxRotation: 0, callback(v) { const s = this.getLabelForValue(v); return s.length > room ? s.slice(0, room - 1) + '…' : s; } },
        },
      },
    },
  }));
}

// --- the page -----------------------------------------------------------------
let data = null;
let loadSeq = 0;

function render() {
  if (!data) return;
  $('st-appeals').textContent = num(data.appeals);
  $('st-finished').textContent = num(data.finished);
  $('st-ontime').textContent = pct(data.on_time_share);

  const cats = data.by_category || [];
  const top = cats.slice(0, 10);
  chart('st-cat-chart', 'bar', top.map(label), top.map((c) => c.appeals), { label: t('stats.top10Label') });
  fillTable('st-cat-table', cats.map((c) => [label(c), num(c.appeals), pct(c.share)]));

  const dists = data.by_district || [];
  chart('st-dist-chart', 'bar', dists.map(label), dists.map((d) => d.appeals), { label: t('stats.distLabel') });
  fillTable('st-dist-table', dists.map((d) => [label(d), num(d.appeals), pct(d.share)]));

  const min = data.organisations_min_appeals ?? 30;
  const orgs = data.organisations || [];
  say($('st-org-note'), t(orgs.length ? 'stats.orgNote' : 'stats.orgNone', { n: num(min) }));
  const rated = orgs.filter((o) => o.on_time_share !== null && o.on_time_share !== undefined);
  chart('st-org-chart', 'bar', rated.map(label), rated.map((o) => o.on_time_share), { label: t('stats.orgLabel'), percent: true });
  fillTable('st-org-table', orgs.map((o) => [label(o), num(o.appeals), num(o.finished), pct(o.on_time_share)]));
  $('st-org-table').closest('.table-scroll').hidden = orgs.length === 0;

  const week = data.group === 'week';
  const trend = data.trend || [];
  $('st-trend-col').textContent = t(week ? 'stats.week' : 'stats.day');
  say($('st-trend-note'), t(week ? 'stats.trendWeek' : 'stats.trendDay'));
  chart('st-trend-chart', 'line', trend.map((p) => dayShort(p.date)), trend.map((p) => p.appeals),
    { label: t('stats.trendLabel', { unit: t(week ? 'stats.unitWeek' : 'stats.unitDay') }) });
  // A week's row names its days: Monday to Sunday, cut to the period's end.
  const weekEnd = (d) => { const e = addDays(d, 6); return e > data.to ? data.to : e; };
  fillTable('st-trend-table', trend.map((p) => [week ? `${dayShort(p.date)} – ${dayLong(weekEnd(p.date))}` : dayLong(p.date),
    num(p.appeals)]));

  const shown = t('stats.shown', { from: dayLong(data.from), to: dayLong(data.to) });
  const extra = data.appeals === 0 ? t('stats.noAppeals') : !window.Chart ? t('stats.chartsOff') : '';
  say($('st-status'), extra ? `${shown}. ${extra}` : shown);
}

function setDownloads(from, to) {
  const q = `?from=${from}&to=${to}`;
  const tooLong = days(from, to) > OPEN_DATA_MAX_DAYS;
  $('st-csv').href = '/api/v1/opendata/appeals.csv' + q;
  $('st-json').href = '/api/v1/opendata/appeals.json' + q;
  $('st-downloads').hidden = tooLong;
  $('st-open-limit').hidden = !tooLong;
}

async function load(from, to, { push = true } = {}) {
  const seq = ++loadSeq;
  $('st-from').value = from;
  $('st-to').value = to;
  setDownloads(from, to);
  if (push) {
    const url = new URL(location.href);
    url.searchParams.set('from', from);
    url.searchParams.set('to', to);
    history.replaceState(history.state, '', url);
  }
  say($('st-period-error'), '');
  say($('st-status'), t('stats.loading'));
  let r;
  try {
    r = await api(`/api/v1/stats/public?from=${from}&to=${to}`);
  } catch (e) {
    if (seq === loadSeq) say($('st-status'), t(e instanceof NetworkError ? 'error.network' : 'error.server'));
    return;
  }
  if (seq !== loadSeq) return; // a later choice answered first
  if (!r.ok || !r.data) {
    const err = r.data && r.data.error;
    const fields = err && err.fields ? Object.values(err.fields).map((f) => f.message) : [];
    if (r.status === 400 || r.status === 422) say($('st-period-error'), [err?.message, ...fields].filter(Boolean).join(' '));
    say($('st-status'), r.status >= 500 || !err ? t('error.server') : '');
    $('st-results').hidden = true;
    return;
  }
  data = r.data;
  $('st-results').hidden = false;
  render();
}

function wire() {
  const form = $('st-period');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const from = $('st-from').value;
    const to = $('st-to').value;
    if (!isDay(from) || !isDay(to) || from > to) {
      say($('st-period-error'), t('stats.badPeriod'));
      (isDay(from) ? $('st-to') : $('st-from')).focus();
      return;
    }
    load(from, to);
  });
  for (const b of form.querySelectorAll('[data-quick]')) {
    b.addEventListener('click', () => {
      const p = quickPeriod(b.dataset.quick);
      load(p.from, p.to);
    });
  }
  onLangChange(() => { applyI18n(); render(); });
}

async function main() {
  await initPage();
  document.title = `${t('stats.title')} — ${t('site.name')}`;
  onLangChange(() => { document.title = `${t('stats.title')} — ${t('site.name')}`; });
  wire();
  const q = new URLSearchParams(location.search);
  const from = q.get('from');
  const to = q.get('to');
  if (isDay(from) && isDay(to) && from <= to) load(from, to, { push: false });
  else { const p = quickPeriod('30d'); load(p.from, p.to, { push: false }); }
}

main();
