// The dashboard's problem points: the `heat` areas on a Leaflet map (a
// circle per ~100 m area, coloured by its weight, with a legend — drawn with
// Leaflet itself, no plugin) and the ranked addresses and areas in tables;
// a row's button pans the map there. Without Leaflet the tables still work.
import { nameOf } from './i18n.js';
import { leaflet, makeMap } from './map.js';
import { el, st } from './staff.js';
import { fmtDay, fmtInt } from './staff-dashboard-charts.js';

const STEPS = ['#ffe08a', '#ffb347', '#f57c2b', '#d7301f', '#8c0013'];
const $ = (id) => document.getElementById(id);

let map = null;
let layer = null;
let marker = null;

// The weight limits of the five colours: equal steps up to the heaviest area.
function steps(max) {
  const out = [];
  for (let i = 1; i <= STEPS.length; i++) out.push(Math.max(1, Math.ceil((max * i) / STEPS.length)));
  return out;
}

function colourOf(w, limits) {
  const i = limits.findIndex((x) => w <= x);
  return STEPS[i < 0 ? STEPS.length - 1 : i];
}

function renderLegend(limits) {
  const box = $('heat-legend');
  const items = [];
  let lo = 1;
  limits.forEach((hi, i) => {
    if (hi < lo) return;
    items.push(el('li', {}, el('span', { class: 'heat-swatch', 'data-step': String(i) }),
      ' ', lo === hi ? fmtInt(hi) : `${fmtInt(lo)}–${fmtInt(hi)}`));
    lo = hi + 1;
  });
  box.replaceChildren(el('p', { class: 'heat-title', text: st('dash.legend') }), el('ul', {}, items));
  // the swatches' colours (CSSOM: the CSP allows no inline style attribute)
  for (const s of box.querySelectorAll('.heat-swatch')) s.style.background = STEPS[Number(s.dataset.step)];
}

export function ensureMap(config) {
  if (map || !leaflet()) return map;
  map = makeMap($('dash-map'), config, { zoom: 11 });
  return map;
}

function drawHeat(heat) {
  const L = leaflet();
  if (!map || !L) return;
  if (layer) layer.remove();
  if (marker) { marker.remove(); marker = null; }
  layer = L.layerGroup();
  const max = heat.reduce((m, h) => Math.max(m, h.weight), 0);
  const limits = steps(max);
  for (const h of heat) {
    const c = colourOf(h.weight, limits);
    L.circleMarker([h.lat, h.lon], {
      radius: 6 + Math.round((10 * h.weight) / Math.max(1, max)), color: '#5a0010', weight: 1,
      fillColor: c, fillOpacity: 0.8, interactive: false,
    }).addTo(layer);
  }
  layer.addTo(map);
  $('heat-legend').hidden = heat.length === 0;
  if (heat.length) {
    renderLegend(limits);
    map.fitBounds(L.latLngBounds(heat.map((h) => [h.lat, h.lon])).pad(0.2), { maxZoom: 15 });
  }
}

function showPlace(p, label) {
  const L = leaflet();
  if (!map || !L) return;
  map.setView([p.lat, p.lon], 17);
  if (marker) marker.remove();
  marker = L.circleMarker([p.lat, p.lon], { radius: 14, color: '#0b4a8b', weight: 3, fill: false }).addTo(map);
  marker.bindTooltip(label, { permanent: true, direction: 'top' }).openTooltip();
  $('dash-map').scrollIntoView({ block: 'nearest' });
}

function rowsOf(list, placeOf) {
  if (!list.length) return [el('tr', {}, el('td', { colspan: '5', class: 'hint', text: st('dash.ppEmpty') }))];
  return list.map((p) => {
    const place = placeOf(p);
    const label = `${place} · ${nameOf(p.category)} · ${fmtInt(p.appeals)}`;
    const go = () => showPlace(p, label);
    const tr = el('tr', { class: 'pp-row' },
      el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link-button', 'aria-label': st('dash.showOnMap', { place }), onclick: go }, place)),
      el('td', { text: nameOf(p.category) }),
      el('td', { class: 'num', text: fmtInt(p.appeals) }),
      el('td', { text: fmtDay(p.first) }),
      el('td', { text: fmtDay(p.last) }));
    tr.addEventListener('click', (ev) => { if (ev.target === tr || ev.target.tagName === 'TD') go(); });
    return tr;
  });
}

const coords = (p) => `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`;

export function renderProblems(pp) {
  $('problems-hint').textContent = st('dash.problemsHint', { n: pp.min_repeats });
  $('pp-addr').tBodies[0].replaceChildren(...rowsOf(pp.addresses, (p) => p.address || coords(p)));
  $('pp-area').tBodies[0].replaceChildren(...rowsOf(pp.areas,
    (p) => (p.address ? st('dash.areaNear', { address: p.address }) : coords(p))));
  drawHeat(pp.heat);
}
