// The public map: /map.html[#number=YYYY-NNNNNN]. GET /api/v1/map for the
// viewport and filters (clusters or appeals, never personal data), a card
// from GET /api/v1/appeals/{number}, and a list of what is in view as the
// keyboard/screen-reader alternative to the markers. Works without tiles.
import { initPage, el, say } from './common.js';
import { renderGallery } from './photos.js';
import { api, getCategories, NetworkError } from './api.js';
import { nameOf, onLangChange, t } from './i18n.js';
import { dateTime, statusWord } from './format.js';
import { leaflet, makeMap } from './map.js';

const $ = (id) => document.getElementById(id);
const STATUSES = ['registered', 'assigned', 'in_progress', 'done', 'reopened', 'closed',
  'rejected', 'forwarded', 'duplicate', 'new'];
const DEBOUNCE_MS = 250;
const LIST_MAX = 200; // rows in the accessible list

// A glyph per category: text, not images (CSP, offline).
const GLYPHS = {
  water_supply: '≈', sewerage: '⊻', heating: '♨', housing_services: '⌂', street_lighting: '☼',
  garbage: '♻', roads: '═', trees: '♣', elevators: '⇅', electricity_supply: 'ϟ',
  parking_violations: 'P', traffic: '⚠', transport: '⇄', storm_drainage: '☂', stray_animals: '◆',
  gas_supply: '▲', parking_lots: 'P', advertising: '▣', funeral_services: '✝', fountains: '⊙',
};
const glyph = (code) => GLYPHS[code] || '•';

let config = null;
let map = null;
let layer = null;
let categories = [];
let last = null; // the last FeatureCollection
let timer = null;
let seq = 0; // answers older than the latest request are dropped
let highlight = null; // the number from #number=

const catByCode = (code) => categories.find((c) => c.code === code);
const catName = (code) => { const c = catByCode(code); return c ? nameOf(c) : code; };

function filters() {
  const q = new URLSearchParams();
  const cats = [...$('f-category').selectedOptions].map((o) => o.value);
  if (cats.length) q.set('category', cats.join(','));
  const st = [...$('f-status').querySelectorAll('input:checked')].map((i) => i.value);
  if (st.length && st.length < STATUSES.length) q.set('status', st.join(','));
  if ($('f-from').value) q.set('from', $('f-from').value);
  if ($('f-to').value) q.set('to', $('f-to').value);
  const d = $('f-district').value;
  if (d && !$('f-district-box').hidden) q.set('district', d);
  return q;
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, DEBOUNCE_MS);
}

async function refresh() {
  if (!map) return;
  const b = map.getBounds();
  const r4 = (x) => x.toFixed(5);
  const q = filters();
  if (!$('f-status').querySelector('input:checked')) { render({ features: [], total: 0, clustered: false }); return; }
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  q.set('bbox', [r4(clamp(b.getWest(), -180, 179)), r4(clamp(b.getSouth(), -85, 84)),
    r4(clamp(b.getEast(), -179, 180)), r4(clamp(b.getNorth(), -84, 85))].join(','));
  q.set('zoom', String(Math.round(map.getZoom())));
  const mine = ++seq;
  let r;
  try { r = await api('/api/v1/map?' + q.toString()); } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    say($('mp-summary'), t('error.network'));
    return;
  }
  if (mine !== seq) return;
  if (!r.ok || !r.data) {
    const err = (r.data && r.data.error) || {};
    const fields = err.fields ? Object.values(err.fields).map((f) => f.message).join('; ') : '';
    say($('mp-summary'), fields || err.message || t('error.server'));
    return;
  }
  last = r.data;
  render(last);
}

function clusterIcon(p) {
  const L = leaflet();
  const d = Math.round(Math.min(64, 26 + 8 * Math.log10(p.count)));
  const bar = el('span', { class: 'mc-bar', 'aria-hidden': 'true' });
  for (const s of STATUSES) {
    const n = (p.by_status || {})[s];
    if (!n) continue;
    const seg = el('span', { class: 'mc-seg st-' + s });
    seg.style.width = (100 * n / p.count).toFixed(1) + '%'; // CSSOM: allowed by the CSP
    bar.append(seg);
  }
  const node = el('span', { class: 'mc-inner' }, el('span', { class: 'mc-count', text: String(p.count) }), bar);
  return L.divIcon({ html: node, className: 'mc', iconSize: [d, d] });
}

function appealIcon(p) {
  const L = leaflet();
  const cls = 'mk st-' + p.status + (p.number === highlight ? ' mk-hl' : '');
  const node = el('span', { class: 'mk-inner', 'aria-hidden': 'true', text: glyph(p.category) });
  const size = p.number === highlight ? 34 : 26;
  return L.divIcon({ html: node, className: cls, iconSize: [size, size] });
}

function describe(p) {
  return `${p.number}: ${catName(p.category)}, ${statusWord(p.status)}`;
}

function zoomTo(f) {
  const [lon, lat] = f.geometry.coordinates;
  map.setView([lat, lon], Math.min(map.getZoom() + 2, 19));
}

function render(fc) {
  const L = leaflet();
  const feats = fc.features || [];
  if (layer) layer.clearLayers();
  const list = [];
  for (const f of feats) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    if (p.kind === 'cluster') {
      const label = t('map.clusterLabel', { n: p.count });
      if (layer && L) {
        L.marker([lat, lon], { icon: clusterIcon(p), title: label, alt: label, keyboard: true })
          .on('click', () => zoomTo(f)).addTo(layer);
      }
      if (list.length < LIST_MAX) list.push(el('li', {}, el('button', { type: 'button', class: 'link-button', onclick: () => zoomTo(f), text: label })));
    } else {
      if (layer && L) {
        const m = L.marker([lat, lon], { icon: appealIcon(p), title: describe(p), alt: describe(p), keyboard: true,
          zIndexOffset: p.number === highlight ? 1000 : 0 })
          .on('click', () => openCard(p.number)).addTo(layer);
        m.number = p.number;
      }
      if (list.length < LIST_MAX) {
        list.push(el('li', { class: p.number === highlight ? 'is-hl' : null },
          el('span', { class: 'mk-dot st-' + p.status, 'aria-hidden': 'true', text: glyph(p.category) }), ' ',
          el('button', { type: 'button', class: 'link-button', 'data-number': p.number, onclick: () => openCard(p.number), text: describe(p) })));
      }
    }
  }
  $('mp-list').replaceChildren(...list);
  let text = t(fc.clustered ? 'map.summaryClusters' : 'map.summary', { n: fc.total || 0 });
  if (fc.truncated) text += ' ' + t('map.truncated', { n: feats.length });
  say($('mp-summary'), text);
}

// The card takes a third column on wide screens: the map resizes with it.
function showCard(on) {
  $('mp-card').hidden = !on;
  document.querySelector('.mp-layout').classList.toggle('has-card', on);
  if (map) map.invalidateSize();
}

async function openCard(number, centre = false) {
  const card = $('mp-card');
  say($('mp-card-error'), '');
  let r;
  try { r = await api('/api/v1/appeals/' + encodeURIComponent(number)); } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    say($('mp-card-error'), t('error.network'));
    showCard(true);
    return null;
  }
  if (!r.ok || !r.data) {
    $('mp-card-title').textContent = number;
    say($('mp-card-error'), (r.data && r.data.error && r.data.error.message) || t('error.server'));
    showCard(true);
    return null;
  }
  const a = r.data;
  $('mp-card-title').textContent = t('track.number', { number: a.number });
  const st = $('mp-card-status');
  st.textContent = statusWord(a.status);
  st.className = 'badge badge-' + String(a.status || '').replace(/[^a-z_]/g, '');
  $('mp-card-category').textContent = nameOf(a.category);
  $('mp-card-type').textContent = nameOf(a.type);
  $('mp-card-org').textContent = nameOf(a.organisation);
  $('mp-card-created').textContent = dateTime(a.created_at);
  $('mp-card-reaction').textContent = dateTime(a.reaction_due_at);
  $('mp-card-resolution').textContent = dateTime(a.resolution_due_at);
  // Only photos staff made public, thumbnails only.
  const photos = Array.isArray(a.photos) ? a.photos : [];
  $('mp-card-photos').hidden = !photos.length;
  if (photos.length) renderGallery($('mp-card-photos'), photos);
  showCard(true);
  card.dataset.number = a.number;
  renderFollow(a);
  if (!centre) card.focus();
  return a;
}

// "Me too" for a signed-in resident (POST /api/v1/me/subscriptions); a
// signed-out visitor gets a way to the cabinet. Finished appeals: nothing.
const FINAL = new Set(['closed', 'rejected', 'forwarded', 'duplicate']);
let resident; // undefined: not asked yet; null: signed out; else GET /api/v1/me
async function whoAmI() {
  if (resident !== undefined) return resident;
  let r = null;
  try { r = await api('/api/v1/me'); } catch { r = null; }
  resident = r && r.ok && r.data ? r.data : null;
  return resident;
}

async function renderFollow(a) {
  const box = $('mp-follow-box');
  say($('mp-follow-status'), '');
  say($('mp-follow-error'), '');
  $('mp-follow-link').hidden = true;
  box.hidden = true;
  if (FINAL.has(a.status)) return;
  const me = await whoAmI();
  if ($('mp-card').dataset.number !== a.number) return; // another card opened meanwhile
  $('mp-follow-in').hidden = !me;
  $('mp-follow-out').hidden = Boolean(me);
  $('mp-follow').disabled = false;
  box.hidden = false;
}

async function follow() {
  const number = $('mp-card').dataset.number;
  const me = await whoAmI();
  if (!number || !me) return;
  say($('mp-follow-error'), '');
  $('mp-follow').disabled = true;
  let r = null;
  try {
    r = await api('/api/v1/me/subscriptions', { method: 'POST', body: { number }, headers: { 'X-CSRF-Token': me.csrf_token } });
  } catch { r = null; }
  $('mp-follow').disabled = false;
  if (r && (r.status === 201 || r.status === 200)) {
    say($('mp-follow-status'), t(r.status === 201 ? 'map.followed' : 'map.alreadyFollowed', { number }));
    $('mp-follow-link').hidden = false;
    return;
  }
  if (r && r.status === 401) {
    resident = null;
    $('mp-follow-in').hidden = true;
    $('mp-follow-out').hidden = false;
  }
  const err = r && r.data && r.data.error;
  say($('mp-follow-error'), r ? (err && err.message) || t('error.server') : t('error.network'));
}

function fillFilters() {
  const sel = $('f-category');
  const chosen = new Set([...sel.selectedOptions].map((o) => o.value));
  sel.replaceChildren(...categories.map((c) => el('option', { value: c.code, selected: chosen.has(c.code) }, `${glyph(c.code)} ${nameOf(c)}`)));
  const box = $('f-status');
  const checked = new Map([...box.querySelectorAll('input')].map((i) => [i.value, i.checked]));
  box.querySelectorAll('label').forEach((n) => n.remove());
  for (const s of STATUSES) {
    box.append(el('label', { class: 'mp-check' },
      el('input', { type: 'checkbox', value: s, checked: checked.has(s) ? checked.get(s) : true }),
      el('span', { class: 'mk-dot st-' + s, 'aria-hidden': 'true' }), ' ', statusWord(s)));
  }
  $('mp-legend').replaceChildren(...STATUSES.slice(0, 6).map((s) =>
    el('li', {}, el('span', { class: 'mk-dot st-' + s, 'aria-hidden': 'true' }), ' ', statusWord(s))));
}

async function loadDistricts() {
  let r;
  try { r = await api('/api/v1/districts'); } catch { r = null; }
  const list = r && r.ok && r.data ? (Array.isArray(r.data) ? r.data : r.data.districts) : null;
  if (!Array.isArray(list) || !list.length) { $('f-district-box').hidden = true; return; }
  const sel = $('f-district');
  sel.append(...list.map((d) => el('option', { value: d.code }, nameOf(d) || d.name_uk || d.code)));
  $('f-district-box').hidden = false;
}

function numberFromHash() {
  const m = /(?:^#|&)number=(\d{4}-\d{6,})/.exec(location.hash);
  return m ? m[1] : null;
}

async function focusFromHash() {
  highlight = numberFromHash();
  if (!highlight) return;
  const a = await openCard(highlight, true);
  if (a && a.location && map) map.setView([a.location.lat, a.location.lon], 17);
  schedule();
}

async function main() {
  config = await initPage();
  try { categories = await getCategories(); } catch { categories = []; }
  fillFilters();
  loadDistricts();
  map = makeMap($('mp-map'), config, { onTileError: () => { $('mp-tiles').hidden = false; } });
  const L = leaflet();
  if (map && L) {
    layer = L.layerGroup().addTo(map);
    map.on('moveend zoomend', schedule);
  } else {
    $('mp-map').hidden = true;
  }
  $('mp-filters').addEventListener('change', schedule);
  $('mp-filters').addEventListener('submit', (ev) => { ev.preventDefault(); schedule(); });
  $('mp-filters').addEventListener('reset', () => setTimeout(schedule, 0));
  $('mp-follow').addEventListener('click', follow);
  $('mp-card-close').addEventListener('click', () => { showCard(false); map?.getContainer().focus(); });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !$('mp-card').hidden) showCard(false); });
  window.addEventListener('hashchange', focusFromHash);
  onLangChange(() => { fillFilters(); if (last) render(last); });
  if (numberFromHash()) await focusFromHash();
  else schedule();
}

main();
