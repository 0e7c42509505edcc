// The applicant's view of one appeal: /track.html#TOKEN → GET /api/v1/track/{token}.
// The token stays in the fragment, so it never reaches a server log or a referrer.
import { initPage, el, say, tokenFrom, wireTrackForm } from './common.js';
import { api, NetworkError } from './api.js';
import { nameOf, onLangChange, t } from './i18n.js';
import { dateTime, eventWord, priorityWord, span, statusWord, timeOnly } from './format.js';
import { leaflet, makeMap } from './map.js';

const $ = (id) => document.getElementById(id);

let config = null;
let appeal = null;
let loadedAt = null;
let map = null;
let marker = null;
let ticker = null;

// While the appeal waits to be taken up, the reaction clock runs; until it is
// done (or otherwise finished), the resolution clock runs.
const REACTION_OPEN = new Set(['new', 'registered', 'assigned']);
const RESOLUTION_CLOSED = new Set(['done', 'closed', 'rejected', 'forwarded', 'duplicate']);

function showOnly(which) {
  $('appeal').hidden = which !== 'appeal';
  $('track-missing').hidden = which !== 'missing';
  $('track-ask').hidden = !(which === 'ask' || which === 'missing');
}

function renderDeadline(boxId, iso, running) {
  const box = $(boxId);
  const due = box.querySelector('.due');
  const left = box.querySelector('.left');
  due.textContent = iso ? t('track.due', { time: dateTime(iso) }) : '—';
  box.classList.remove('is-overdue', 'is-running');
  if (!iso || !running) { left.textContent = ''; return; }
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) {
    left.textContent = t('track.overdueBy', { left: span(ms) });
    box.classList.add('is-overdue');
  } else {
    left.textContent = t('track.left', { left: span(ms) });
    box.classList.add('is-running');
  }
}

function tick() {
  if (!appeal) return;
  renderDeadline('dl-reaction', appeal.reaction_due_at, REACTION_OPEN.has(appeal.status));
  renderDeadline('dl-resolution', appeal.resolution_due_at, !RESOLUTION_CLOSED.has(appeal.status));
  const overdue = appeal.overdue === true
    || $('dl-reaction').classList.contains('is-overdue')
    || $('dl-resolution').classList.contains('is-overdue');
  $('a-overdue').hidden = !overdue;
}

function renderTimeline() {
  const items = Array.isArray(appeal.timeline) ? appeal.timeline : [];
  $('a-timeline').replaceChildren(...items.map((ev) => {
    const known = eventWord(ev.kind) !== t('event.unknown');
    const what = known ? eventWord(ev.kind)
      : `${t('event.unknown')}${ev.status ? ' — ' + t('event.status', { status: statusWord(ev.status) }) : ''}`;
    return el('li', { class: 'tl-item tl-' + String(ev.kind || 'unknown').replace(/[^a-z_]/g, '') },
      el('time', { datetime: ev.at, class: 'tl-time', text: dateTime(ev.at) }),
      el('span', { class: 'tl-what', text: what }),
      ev.note ? el('span', { class: 'tl-note', text: ev.note }) : null);
  }));
}

function renderMap() {
  const loc = appeal.location || {};
  const box = $('a-map');
  const has = Number.isFinite(loc.lat) && Number.isFinite(loc.lon);
  $('a-coords').textContent = has ? `${loc.lat.toFixed(6)}, ${loc.lon.toFixed(6)}` : '';
  box.setAttribute('aria-label', has ? `${t('track.location')}: ${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}` : t('track.location'));
  const L = leaflet();
  if (!has || !L) { box.hidden = true; return; }
  box.hidden = false;
  if (!map) {
    map = makeMap(box, config, { center: [loc.lat, loc.lon], zoom: 16, showBounds: false });
    if (!map) return;
    map.scrollWheelZoom.disable();
    marker = L.marker([loc.lat, loc.lon], { keyboard: false, interactive: false }).addTo(map);
  } else {
    marker.setLatLng([loc.lat, loc.lon]);
    map.setView([loc.lat, loc.lon]);
  }
}

function render() {
  if (!appeal) return;
  const a = appeal;
  $('track-heading').replaceChildren(
    el('span', { class: 'h1-label', text: t('track.numberLabel') }), ' ',
    el('span', { id: 'a-number', class: 'h1-number', text: a.number }));
  document.title = `${t('track.number', { number: a.number })} — ${t('site.name')}`;
  const st = $('a-status');
  st.textContent = statusWord(a.status);
  st.className = 'badge badge-' + String(a.status || '').replace(/[^a-z_]/g, '');
  $('a-category').textContent = nameOf(a.category);
  $('a-type').textContent = nameOf(a.type);
  $('a-priority').textContent = priorityWord(a.priority);
  $('a-org').textContent = nameOf(a.organisation);
  $('a-district').textContent = a.district ? nameOf(a.district) : t('district.none');
  $('a-created').textContent = dateTime(a.created_at);
  const addr = a.location && a.location.address;
  $('a-address').textContent = addr || t('track.noAddress');
  $('a-maplink').href = '/map.html#number=' + encodeURIComponent(a.number);
  $('a-description').textContent = a.description || '';
  // A "me too" subscriber follows someone else's appeal: no description or address.
  $('a-description').closest('section').hidden = Boolean(a.subscriber);
  $('a-address').parentElement.hidden = Boolean(a.subscriber);
  renderTimeline();
  tick();
  if (loadedAt) $('updated').textContent = t('track.updated', { time: timeOnly(loadedAt) });
  showOnly('appeal');
  renderMap();
}

async function load(focus) {
  const token = tokenFrom(location.hash);
  const status = $('track-status');
  appeal = null;
  if (!token) {
    $('track-heading').textContent = t('track.title');
    say(status, '');
    showOnly(location.hash.length > 1 ? 'missing' : 'ask');
    return;
  }
  say(status, t('loading'));
  let r;
  try {
    r = await api('/api/v1/track/' + encodeURIComponent(token));
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    say(status, t('error.network'));
    return;
  }
  if (r.ok && r.data) {
    say(status, '');
    appeal = r.data;
    loadedAt = new Date();
    render();
    if (focus) $('track-heading').focus();
    return;
  }
  if (r.status === 404) {
    say(status, '');
    $('track-heading').textContent = t('track.title');
    showOnly('missing');
    return;
  }
  const err = (r.data && r.data.error) || {};
  say(status, r.status === 429 ? t('error.rate') : (err.message || t('error.server')));
}

async function main() {
  wireTrackForm($('track-form'));
  $('refresh').addEventListener('click', () => load(false));
  window.addEventListener('hashchange', () => load(true));
  onLangChange(() => {
    if (appeal) render();
    else $('track-heading').textContent = t('track.title');
  });
  config = await initPage();
  await load(false);
  ticker = setInterval(tick, 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { clearInterval(ticker); ticker = null; } else if (!ticker) { tick(); ticker = setInterval(tick, 1000); }
  });
}

main();
