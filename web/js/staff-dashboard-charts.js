// The dashboard's charts (Chart.js 4 from npm, /vendor/chart.js/, loaded by
// a classic <script> before the page module) and, under every chart, its
// figures as a table in a <details> — the table is the chart's accessible
// form and works without Chart.js too.
import { locale, nameOf } from './i18n.js';
import { el, st } from './staff.js';

const charts = new Map(); // id → Chart instance
const PALETTE = ['#0b4a8b', '#2f7fc1', '#5aa0d8', '#7a5195', '#bc5090', '#ef5675', '#ff764a', '#ffa600',
  '#1d6b35', '#4c9a5f', '#8a94a0', '#47505b'];

export const fmtInt = (n) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(n);
export const fmtNum = (n, digits = 1) => (n === null || n === undefined ? st('dash.none')
  : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n));
export const fmtPct = (x) => (x === null || x === undefined ? st('dash.none')
  : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(x));
// "2026-11-05" → "05.11.2026" (a calendar day: no time zone shift)
export function fmtDay(d) {
  const m0 = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d || '');
  if (!m0) return d || st('dash.none');
  const [y, m, day] = m0.slice(1).map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' })
    .format(new Date(Date.UTC(y, m - 1, day)));
}

// "2026-11-05" → "05.11" (the chart's axis; the table has the whole date)
const shortDay = (d) => (/^\d{4}-\d{2}-\d{2}$/.test(d || '') ? `${d.slice(8, 10)}.${d.slice(5, 7)}` : d);
const placeName = (row) => (row.code === null ? st('dash.noDistrict') : nameOf(row));
const channelName = (row) => nameOf(row) || st('channel.' + row.code);

// What each chart shows. rows(data) → [{label, value, extra cells}].
function specs(data) {
  const week = data.group === 'week';
  return [
    { id: 'category', view: 'categories', title: st('chart.category'), kind: 'hbar', share: true,
      rows: data.by_category.slice(0, 10).map((r) => ({ label: nameOf(r), value: r.appeals, share: r.share })) },
    { id: 'type', view: 'types', title: st('chart.type'), kind: 'hbar', share: true,
      rows: data.by_type.slice(0, 10).map((r) => ({ label: nameOf(r), value: r.appeals, share: r.share })) },
    { id: 'trend', view: 'trend', title: st(week ? 'chart.trendWeek' : 'chart.trend'), kind: 'line', first: st(week ? 'col.week' : 'col.date'),
      rows: data.trend.map((r) => ({ label: fmtDay(r.date), short: shortDay(r.date), value: r.appeals })) },
    { id: 'district', view: 'districts', title: st('chart.district'), kind: 'hbar', share: true,
      rows: data.by_district.map((r) => ({ label: placeName(r), value: r.appeals, share: r.share })) },
    { id: 'channel', view: 'channels', title: st('chart.channel'), kind: 'doughnut', share: true,
      rows: data.by_channel.map((r) => ({ label: channelName(r), value: r.appeals, share: r.share })) },
    { id: 'hour', view: 'hours', title: st('chart.hour'), kind: 'bar', first: st('col.hour'),
      rows: data.by_hour.map((r) => ({ label: String(r.hour).padStart(2, '0') + ':00', value: r.appeals })) },
    { id: 'organisation', view: 'organisations', title: st('chart.organisation'), kind: 'hbar', share: true, orgs: true,
      rows: data.by_organisation.map((r) => ({ label: nameOf(r), value: r.appeals, share: r.share,
        finished: r.finished, on_time_share: r.on_time_share, overdue_now: r.overdue_now })) },
  ];
}

function tableOf(spec, caption) {
  const head = [el('th', { scope: 'col', text: spec.first || st('col.name') }),
    el('th', { scope: 'col', class: 'num', text: st('dash.col.appeals') })];
  if (spec.share) head.push(el('th', { scope: 'col', class: 'num', text: st('col.share') }));
  if (spec.orgs) {
    head.push(el('th', { scope: 'col', class: 'num', text: st('col.finished') }),
      el('th', { scope: 'col', class: 'num', text: st('card.onTime') }),
      el('th', { scope: 'col', class: 'num', text: st('card.overdueNow') }));
  }
  const body = spec.rows.map((r) => {
    const cells = [el('th', { scope: 'row', text: r.label }), el('td', { class: 'num', text: fmtInt(r.value) })];
    if (spec.share) cells.push(el('td', { class: 'num', text: fmtPct(r.share) }));
    if (spec.orgs) {
      cells.push(el('td', { class: 'num', text: fmtInt(r.finished) }), el('td', { class: 'num', text: fmtPct(r.on_time_share) }),
        el('td', { class: r.overdue_now > 0 ? 'num bad' : 'num', text: fmtInt(r.overdue_now) }));
    }
    return el('tr', {}, cells);
  });
  return el('div', { class: 'table-scroll' },
    el('table', { class: 'reports-table', 'data-table': spec.id },
      el('caption', { text: caption }), el('thead', {}, el('tr', {}, head)), el('tbody', {}, body)));
}

function summary(spec) {
  const top = spec.rows.reduce((best, r) => (r.value > (best ? best.value : 0) ? r : best), null);
  return top ? st('chart.summary', { title: spec.title, top: top.label, n: fmtInt(top.value) })
    : st('chart.summaryEmpty', { title: spec.title });
}

// A long name on a narrow screen: cut with "…" (the table has it whole).
function shortLabel(value) {
  const label = String(this.getLabelForValue(value));
  const max = this.chart.width < 480 ? 18 : 40;
  return label.length > max ? label.slice(0, max - 1) + '…' : label;
}

function draw(canvas, spec) {
  const Chart = window.Chart;
  if (!Chart) return null;
  const labels = spec.rows.map((r) => r.short || r.label);
  const values = spec.rows.map((r) => r.value);
  const horizontal = spec.kind === 'hbar';
  const type = spec.kind === 'hbar' ? 'bar' : spec.kind;
  const dataset = { label: st('dash.col.appeals'), data: values, borderWidth: type === 'line' ? 2 : 0 };
  if (type === 'doughnut') dataset.backgroundColor = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  else { dataset.backgroundColor = PALETTE[0]; dataset.borderColor = PALETTE[0]; }
  if (type === 'line') { dataset.pointRadius = spec.rows.length > 60 ? 0 : 2; dataset.tension = 0.2; }
  const scales = type === 'doughnut' ? {} : {
    [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } },
    // (a callback key left undefined would replace Chart.js's own labels with indexes)
    [horizontal ? 'y' : 'x']: { ticks: horizontal ? { autoSkip: false, callback: shortLabel } : { maxRotation: 0, autoSkipPadding: 8 } },
  };
  return new Chart(canvas, {
    type,
    data: { labels, datasets: [dataset] },
    options: {
      indexAxis: horizontal ? 'y' : 'x', animation: false, responsive: true, maintainAspectRatio: false,
      locale: locale(), scales,
      plugins: { legend: { display: type === 'doughnut', position: 'bottom' } },
    },
  });
}

// Draws every chart of `data` into `box` (replacing what was there). The
// <details> that were open stay open across a redraw (filters, language).
export function renderCharts(box, data, period) {
  const open = new Set([...box.querySelectorAll('details[open]')].map((d) => d.dataset.chart));
  for (const c of charts.values()) c.destroy();
  charts.clear();
  const sections = specs(data).map((spec) => {
    const titleId = 'chart-' + spec.id + '-title';
    const caption = st('chart.caption', { title: spec.title, from: period.from, to: period.to });
    const empty = spec.rows.every((r) => !r.value);
    const canvas = el('canvas', { role: 'img', 'aria-label': summary(spec) });
    // a horizontal bar chart grows with its rows; the others keep one height
    const height = spec.kind === 'hbar' ? Math.max(8, spec.rows.length * 1.9 + 3) + 'rem' : null;
    const figure = el('div', { class: 'chart-box' + (spec.kind === 'doughnut' ? ' chart-round' : '') }, canvas);
    if (height) figure.style.height = height;
    const details = el('details', { 'data-chart': spec.id, open: open.has(spec.id) },
      el('summary', { text: st('dash.table') + ' · ' + spec.title }), tableOf(spec, caption),
      el('p', { class: 'chart-csv' }, el('button', { type: 'button', class: 'button button-secondary', 'data-format': 'csv',
        'data-export-view': spec.view, text: st('dash.tableCsv'), 'aria-label': st('dash.tableCsvLabel', { title: spec.title }) })));
    const section = el('section', { class: 'card chart-card chart-' + spec.id, 'aria-labelledby': titleId, 'data-chart': spec.id },
      el('h2', { id: titleId, text: spec.title }),
      empty ? el('p', { class: 'hint chart-empty', text: st('dash.empty') }) : figure,
      details);
    return { section, canvas, spec, empty };
  });
  box.replaceChildren(...sections.map((s) => s.section));
  for (const s of sections) {
    if (!s.empty) {
      const c = draw(s.canvas, s.spec);
      if (c) charts.set(s.spec.id, c);
    }
  }
}
