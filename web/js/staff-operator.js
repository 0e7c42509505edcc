// The hotline console (web/staff/operator.html): one keyboard-first screen.
// Caller's phone → their earlier appeals and consultations; the problem
// found by typing (category and type names, Ukrainian and English); the
// type's script hint; the address with autocomplete and a map pin; open
// appeals of the same type nearby ("subscribe the caller instead");
// register, or record a consultation. Every call counts.
import { getCategories, getConfig } from './api.js';
import { lang, nameOf } from './i18n.js';
import { dateTime, priorityWord, statusWord, within } from './format.js';
import { addressAutocomplete, nearestAddress } from './address.js';
import { leaflet, makeMap } from './map.js';
import { normalizePhone } from './validate.js';
import {
  el, errorText, fieldErrors, initStaff, onStaffLang, randomKey, rememberOrgs, showError, st, staffApi,
} from './staff.js';

const $ = (id) => document.getElementById(id);

let categories = [];
let index = [];          // [{cat, ty, words}] for the type search
let chosen = null;       // {cat, ty}
let matches = [];
let active = -1;
let pin = null;          // {lat, lon}
let map = null;
let marker = null;
let config = null;
let callKey = randomKey(); // Idempotency-Key of this call's appeal
let historyFor = '';
let dupAsked = '';
let lastResult = null;

// ---------------------------------------------------------------- type search

const fold = (s) => String(s || '').toLowerCase().replace(/[ʼ'’`]/g, '').replace(/ё/g, 'е');

function buildIndex() {
  index = [];
  for (const cat of categories) {
    for (const ty of cat.types || []) {
      index.push({
        cat, ty,
        typeText: fold(`${ty.name_uk} ${ty.name_en} ${ty.code}`),
        catText: fold(`${cat.name_uk} ${cat.name_en} ${cat.code}`),
      });
    }
  }
}

// Every word typed must be found in the type's or the category's names
// (Ukrainian and English). A word that starts a word of the type's name
// ranks above one found inside it or by its stem; a category that matches
// too adds to it; ties go to the more urgent type (the hotline's dangerous
// calls first), then the catalogue's order.
const RANK = { emergency: 0, urgent: 1, normal: 2 };

// How callers say it and how the catalogue names it.
const SAME = { 'немає': 'відсутн', 'нема': 'відсутн', 'нет': 'відсутн', 'пахне': 'запах', 'тече': 'витік' };

function wordScore(text, w) {
  const stem = [...w].length >= 4 ? [...w].slice(0, -1).join('') : w;
  const t = ' ' + text;
  if (t.includes(' ' + w)) return 4;
  if (SAME[w] && t.includes(' ' + SAME[w])) return 4;
  if (t.includes(' ' + stem)) return 3;
  if (text.includes(w)) return 2;
  if (text.includes(stem)) return 1;
  return 0;
}

function search(q) {
  const words = fold(q).split(/[\s,.;:/-]+/).filter(Boolean);
  if (!words.length) return [];
  const scored = [];
  index.forEach((it, order) => {
    let score = 0;
    for (const w of words) {
      const ty = wordScore(it.typeText, w);
      const cat = wordScore(it.catText, w);
      if (!ty && !cat) return;
      score += ty * 2 + (cat ? 1 : 0);
    }
    scored.push({ it, score, order });
  });
  scored.sort((a, b) => b.score - a.score
    || (RANK[a.it.ty.priority] ?? 3) - (RANK[b.it.ty.priority] ?? 3) || a.order - b.order);
  return scored.slice(0, 12).map((s) => s.it);
}

const typeLabel = (it) => `${nameOf(it.cat)} → ${nameOf(it.ty)}`;

function closeList() {
  $('type-list').hidden = true;
  $('type-search').setAttribute('aria-expanded', 'false');
  $('type-search').removeAttribute('aria-activedescendant');
}

function highlight(i) {
  active = i;
  const input = $('type-search');
  $('type-list').querySelectorAll('[role="option"]').forEach((li, j) => {
    li.setAttribute('aria-selected', j === i ? 'true' : 'false');
    if (j === i) { input.setAttribute('aria-activedescendant', li.id); li.scrollIntoView({ block: 'nearest' }); }
  });
  if (i < 0) input.removeAttribute('aria-activedescendant');
}

function renderList() {
  const list = $('type-list');
  list.replaceChildren(...matches.map((it, i) => el('li', {
    id: 'type-opt-' + i, role: 'option', class: 'ac-option' + (it.ty.alert_phone ? ' opt-alert' : ''),
    'aria-selected': 'false',
    onmousedown: (e) => e.preventDefault(),
    onclick: () => pick(i),
  }, el('span', { class: 'ac-label', text: nameOf(it.ty) }),
  el('span', { class: 'ac-old', text: ` · ${nameOf(it.cat)} · ${priorityWord(it.ty.priority)}` }))));
  if (!matches.length) {
    closeList();
    $('type-status').textContent = $('type-search').value.trim() ? st('op.type.none') : '';
    return;
  }
  list.hidden = false;
  $('type-search').setAttribute('aria-expanded', 'true');
  $('type-status').textContent = st('op.type.count', { n: matches.length });
  highlight(0); // Enter takes the best match
}

function pick(i) {
  const it = matches[i];
  if (!it) return;
  chosen = it;
  $('type-search').value = typeLabel(it);
  $('type-search').removeAttribute('aria-invalid');
  $('type-error').hidden = true;
  closeList();
  $('type-status').textContent = st('op.type.chosen', { label: typeLabel(it) });
  renderChosen();
  loadDuplicates();
  $('description').focus();
}

function renderChosen() {
  const box = $('type-chosen');
  const alertBox = $('alert-box');
  const hint = $('script-hint');
  if (!chosen) { box.hidden = true; alertBox.hidden = true; hint.hidden = true; return; }
  const ty = chosen.ty;
  box.className = 'type-info type-info-' + ty.priority;
  box.replaceChildren(
    el('strong', { text: typeLabel(chosen) }), el('br'),
    `${priorityWord(ty.priority)} · ${st('op.reaction')} ${within(ty.reaction)} · ${st('op.resolution')} ${within(ty.resolution)} · ${nameOf(ty.organisation || chosen.cat.organisation)}`);
  box.hidden = false;
  const text = ty['hint_' + lang()] || ty.hint_uk;
  if (ty.alert_phone) {
    alertBox.replaceChildren(
      el('p', { class: 'alert-title', text: st('op.alert', { phone: ty.alert_phone }) }),
      text ? el('p', { text: st('op.say') + ' ' + text }) : null,
      el('p', { class: 'alert-after', text: st('op.alert.after') }));
    alertBox.hidden = false;
    hint.hidden = true;
  } else {
    alertBox.hidden = true;
    hint.textContent = text ? st('op.say') + ' ' + text : '';
    hint.hidden = !text;
  }
}

function onTypeKey(e) {
  const open = !$('type-list').hidden && matches.length > 0;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    if (!open) { matches = search($('type-search').value); renderList(); return; }
    let next = active + (e.key === 'ArrowDown' ? 1 : -1);
    if (next >= matches.length) next = 0;
    if (next < 0) next = matches.length - 1;
    highlight(next);
  } else if (e.key === 'Enter') {
    if (open && active >= 0) { e.preventDefault(); e.stopPropagation(); pick(active); }
  } else if (e.key === 'Escape' && open) {
    e.preventDefault();
    closeList();
  } else if (e.key === 'Tab') closeList();
}

function wireTypeSearch() {
  const input = $('type-search');
  input.addEventListener('input', () => {
    if (chosen && input.value !== typeLabel(chosen)) { chosen = null; renderChosen(); }
    matches = search(input.value);
    renderList();
  });
  input.addEventListener('keydown', onTypeKey);
  input.addEventListener('blur', () => setTimeout(closeList, 150));
}

// ---------------------------------------------------------------- place

function setPin(lat, lon, { fromMap = false } = {}) {
  pin = { lat, lon };
  $('pin-text').textContent = st('op.pin', { lat: lat.toFixed(5), lon: lon.toFixed(5) });
  $('location-error').hidden = true;
  $('address').removeAttribute('aria-invalid');
  const L = leaflet();
  if (map && L) {
    if (!marker) {
      marker = L.marker([lat, lon], { draggable: true, keyboard: false }).addTo(map);
      marker.on('dragend', () => { const p = marker.getLatLng(); setPin(p.lat, p.lng, { fromMap: true }); });
    } else marker.setLatLng([lat, lon]);
    if (!fromMap) map.setView([lat, lon], Math.max(map.getZoom(), 16));
  }
  loadDuplicates();
}

async function addressFromPin(lat, lon) {
  if ($('address').value.trim()) return;
  const a = await nearestAddress(lat, lon);
  if (a && !$('address').value.trim()) $('address').value = a.label_uk;
}

function initMap() {
  const L = leaflet();
  const box = $('map');
  if (!L) { box.hidden = true; return; }
  map = makeMap(box, config, { zoom: 12 });
  if (!map) return;
  map.keyboard.disable(); // the console is driven by the address field
  box.removeAttribute('tabindex');
  map.on('click', (e) => { setPin(e.latlng.lat, e.latlng.lng, { fromMap: true }); addressFromPin(e.latlng.lat, e.latlng.lng); });
}

// ---------------------------------------------------------------- caller history

async function loadHistory() {
  const phone = normalizePhone($('phone').value);
  const box = $('history');
  if (!phone) {
    if ($('phone').value.trim()) {
      $('phone-error').textContent = st('op.v.phone');
      $('phone-error').hidden = false;
    }
    return;
  }
  $('phone-error').hidden = true;
  $('phone').removeAttribute('aria-invalid');
  if (phone === historyFor) return;
  historyFor = phone;
  box.replaceChildren(el('p', { class: 'hint', text: st('loading') }));
  let r;
  try { r = await staffApi('/api/v1/callers/' + encodeURIComponent(phone)); } catch { r = null; }
  if (historyFor !== phone) return;
  if (!r || !r.ok || !r.data) {
    box.replaceChildren(el('p', { class: 'field-error', text: r ? errorText(r) : st('err.network') }));
    return;
  }
  renderHistory(r.data);
}

function renderHistory(d) {
  const box = $('history');
  const appeals = Array.isArray(d.appeals) ? d.appeals : [];
  const consults = Array.isArray(d.consultations) ? d.consultations : [];
  const name = d.name || (appeals.find((a) => a.applicant && a.applicant.name) || {}).applicant?.name;
  if (name && !$('name').value.trim()) $('name').value = name;
  if (!appeals.length && !consults.length) {
    box.replaceChildren(el('p', { class: 'hint', text: st('op.history.none') }));
    return;
  }
  box.replaceChildren(
    el('h3', { text: st('op.history.appeals', { n: appeals.length }) }),
    appeals.length ? el('ul', { class: 'hist-list' }, appeals.map((a) => el('li', {},
      el('strong', { text: '№ ' + a.number }), ' ',
      el('span', { class: 'badge badge-' + String(a.status || '').replace(/[^a-z_]/g, ''), text: statusWord(a.status) }),
      el('br'),
      el('span', { text: [nameOf(a.type), a.address || (a.location && a.location.address), dateTime(a.created_at)].filter(Boolean).join(' · ') })))) : null,
    el('h3', { text: st('op.history.consults', { n: consults.length }) }),
    consults.length ? el('ul', { class: 'hist-list' }, consults.map((c) => el('li', {},
      el('strong', { text: c.topic || '' }), ' ', el('span', { class: 'hint', text: [dateTime(c.created_at || c.at), c.operator && (c.operator.name || c.operator.login || c.operator)].filter(Boolean).join(' · ') }),
      c.note ? el('p', { class: 'hist-note', text: c.note }) : null))) : null);
}

// ---------------------------------------------------------------- duplicates

async function loadDuplicates() {
  const box = $('dups');
  if (!chosen || !pin) { box.hidden = true; dupAsked = ''; return; }
  const q = `/api/v1/duplicates?category=${encodeURIComponent(chosen.cat.code)}&lat=${pin.lat}&lon=${pin.lon}`;
  if (q === dupAsked) return;
  dupAsked = q;
  let r;
  try { r = await staffApi(q); } catch { r = null; }
  if (q !== dupAsked) return;
  const all = r && r.ok && r.data && Array.isArray(r.data.appeals) ? r.data.appeals : [];
  const same = all.filter((a) => !a.type || a.type.code === chosen.ty.code);
  renderDuplicates(same);
}

function renderDuplicates(list) {
  const box = $('dups');
  box.hidden = list.length === 0;
  if (!list.length) { box.replaceChildren(); return; }
  box.replaceChildren(el('h2', { text: st('op.dups.title') }), el('p', { text: st('op.dups.intro') }),
    el('ul', { class: 'dup-list' }, list.map((a) => {
      const note = el('p', { class: 'dup-note', 'aria-live': 'polite' });
      const b = el('button', { type: 'button', class: 'button', text: st('op.dups.same', { number: a.number }) });
      b.addEventListener('click', () => subscribe(a, b, note));
      return el('li', { class: 'dup-item' },
        el('p', {}, el('strong', { text: '№ ' + a.number }), ' · ', nameOf(a.type), ' · ', statusWord(a.status)),
        el('p', { class: 'hint', text: st('op.dups.where', { m: a.distance_m, at: dateTime(a.created_at) }) }),
        b, note);
    })));
}

async function subscribe(a, button, note) {
  const phone = $('phone').value.trim();
  if (!normalizePhone(phone)) { note.textContent = st('op.v.phone'); $('phone').focus(); return; }
  button.disabled = true;
  let r;
  try { r = await staffApi(`/api/v1/appeals/${a.number}/subscriptions`, { method: 'POST', body: { phone } }); } catch { r = null; }
  button.disabled = false;
  if (!r || r.status !== 201) { note.textContent = r ? errorText(r) : st('err.network'); return; }
  showResult({ kind: 'subscribed', number: a.number, tracking_url: r.data.tracking_url, phone });
  resetCall();
}

// ---------------------------------------------------------------- register / consult

function fieldFail(id, errId, text) {
  $(errId).textContent = text;
  $(errId).hidden = false;
  $(id).setAttribute('aria-invalid', 'true');
}

function checkCall() {
  for (const id of ['phone-error', 'name-error', 'type-error', 'description-error', 'location-error']) $(id).hidden = true;
  for (const id of ['phone', 'name', 'type-search', 'description', 'address']) $(id).removeAttribute('aria-invalid');
  const bad = [];
  if (!normalizePhone($('phone').value)) { fieldFail('phone', 'phone-error', st('op.v.phone')); bad.push('phone'); }
  if (!$('name').value.trim()) { fieldFail('name', 'name-error', st('op.v.name')); bad.push('name'); }
  if (!chosen) { fieldFail('type-search', 'type-error', st('op.v.type')); bad.push('type-search'); }
  if ([...$('description').value.trim()].length < 10) { fieldFail('description', 'description-error', st('op.v.description')); bad.push('description'); }
  if (!pin) { fieldFail('address', 'location-error', st('op.v.pin')); bad.push('address'); }
  return bad;
}

async function register(ev) {
  if (ev) ev.preventDefault();
  $('submit-error').hidden = true;
  const bad = checkCall();
  if (bad.length) { $(bad[0]).focus(); return; }
  const body = {
    category: chosen.cat.code, type: chosen.ty.code,
    description: $('description').value.trim(),
    location: { lat: pin.lat, lon: pin.lon },
    applicant: { name: $('name').value.trim(), phone: $('phone').value.trim() },
    channel: 'phone',
  };
  const addr = $('address').value.trim();
  if (addr) body.location.address = addr;
  const button = $('register');
  button.disabled = true;
  let r;
  try {
    r = await staffApi('/api/v1/appeals', { method: 'POST', body, headers: { 'Idempotency-Key': callKey } });
  } catch {
    button.disabled = false;
    showError($('submit-error'), null, st('err.network') + ' ' + st('op.retrySafe'));
    return;
  }
  button.disabled = false;
  if (r.status !== 201 || !r.data) {
    showError($('submit-error'), r);
    $('submit-error').focus();
    return;
  }
  showResult({ kind: 'appeal', appeal: r.data, phone: body.applicant.phone });
  resetCall();
}

async function saveConsultation() {
  const box = $('consult-error');
  box.hidden = true;
  const topic = $('topic').value.trim();
  if (!topic) { showError(box, null, st('op.v.topic')); $('topic').focus(); return; }
  const body = { topic };
  const phone = $('phone').value.trim();
  if (phone) body.phone = phone;
  const note = $('note').value.trim();
  if (note) body.note = note;
  const b = $('consult-save');
  b.disabled = true;
  let r;
  try { r = await staffApi('/api/v1/consultations', { method: 'POST', body }); } catch { r = null; }
  b.disabled = false;
  if (!r) { showError(box, null, st('err.network')); return; }
  if (r.status !== 201) { showError(box, r); return; }
  showResult({ kind: 'consultation', topic, phone });
  resetCall();
}

function showResult(res) {
  lastResult = res;
  renderResult();
  const box = $('result');
  box.hidden = false;
}

function renderResult() {
  const res = lastResult;
  const box = $('result');
  if (!res) return;
  if (res.kind === 'appeal') {
    const a = res.appeal;
    const url = new URL(a.tracking_url, location.origin).href;
    box.replaceChildren(
      el('h2', { text: st('op.done.title') }),
      el('p', { class: 'done-number-label', text: st('op.done.number') }),
      el('p', { id: 'done-number', class: 'done-number', text: a.number }),
      el('dl', { class: 'facts' },
        el('div', {}, el('dt', { text: st('op.done.what') }), el('dd', { text: `${nameOf(a.category)} → ${nameOf(a.type)}` })),
        el('div', {}, el('dt', { text: st('op.done.org') }), el('dd', { text: nameOf(a.organisation) })),
        el('div', {}, el('dt', { text: st('op.done.reaction') }), el('dd', { text: dateTime(a.reaction_due_at) })),
        el('div', {}, el('dt', { text: st('op.done.resolution') }), el('dd', { text: dateTime(a.resolution_due_at) }))),
      el('p', { class: 'hint', text: st('op.done.say') }),
      el('p', {}, el('label', { for: 'done-link', text: st('op.done.link') }),
        el('input', { id: 'done-link', type: 'text', readonly: true, value: url })));
  } else if (res.kind === 'subscribed') {
    const url = new URL(res.tracking_url, location.origin).href;
    box.replaceChildren(el('h2', { text: st('op.sub.title') }),
      el('p', { id: 'done-number', class: 'done-number', text: res.number }),
      el('p', { text: st('op.sub.text', { phone: res.phone }) }),
      el('p', {}, el('label', { for: 'done-link', text: st('op.done.link') }),
        el('input', { id: 'done-link', type: 'text', readonly: true, value: url })));
  } else {
    box.replaceChildren(el('h2', { text: st('op.consult.done') }),
      el('p', { text: res.phone ? `${res.topic} · ${res.phone}` : res.topic }));
  }
}

// Clears the form for the next call (the last result stays on screen).
function resetCall() {
  $('call-form').reset();
  chosen = null;
  matches = [];
  pin = null;
  historyFor = '';
  dupAsked = '';
  callKey = randomKey();
  if (marker && map) { map.removeLayer(marker); marker = null; }
  $('pin-text').textContent = '';
  renderChosen();
  closeList();
  $('dups').hidden = true;
  $('consult').hidden = true;
  $('consult-open').setAttribute('aria-expanded', 'false');
  for (const id of ['phone-error', 'name-error', 'type-error', 'description-error', 'location-error', 'submit-error', 'consult-error']) $(id).hidden = true;
  $('history').replaceChildren(el('p', { class: 'hint', text: st('op.history.empty') }));
  $('phone').focus();
}

function openConsult() {
  $('consult').hidden = false;
  $('consult-open').setAttribute('aria-expanded', 'true');
  $('topic').focus();
}

// ---------------------------------------------------------------- keyboard

const NEXT = { phone: 'name', name: 'type-search' };

function wireKeys() {
  // Enter in a one-line field moves on instead of submitting half a call.
  $('call-form').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.altKey || e.ctrlKey || e.defaultPrevented) return;
    const t = e.target;
    if (!(t instanceof HTMLInputElement)) return;
    e.preventDefault();
    if (t.id === 'phone') loadHistory();
    if (t.id === 'topic') { $('note').focus(); return; }
    const next = NEXT[t.id];
    if (next) $(next).focus();
    else if (t.id === 'address') $('register').focus();
  });
  document.addEventListener('keydown', (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const act = {
      KeyR: () => register(),
      KeyK: openConsult,
      KeyN: () => { resetCall(); $('result').hidden = true; lastResult = null; },
      KeyP: () => $('phone').focus(),
      KeyT: () => $('type-search').focus(),
      KeyA: () => $('address').focus(),
    }[e.code];
    if (act) { e.preventDefault(); act(); }
  });
}

function fillTopics() {
  const list = $('topics');
  list.replaceChildren(...['outages', 'tariffs', 'status', 'services', 'other'].map((k) =>
    el('option', { value: st('op.topic.' + k) })));
}

async function main() {
  await initStaff('operator');
  try { [config, categories] = await Promise.all([getConfig(), getCategories()]); } catch {
    $('staff-status').textContent = st('err.categories');
    $('staff-status').hidden = false;
  }
  rememberOrgs(categories);
  buildIndex();
  wireTypeSearch();
  initMap();
  fillTopics();
  addressAutocomplete($('address'), {
    onChoose: (s) => { if (Number.isFinite(s.lat) && Number.isFinite(s.lon)) setPin(s.lat, s.lon); },
  });
  $('phone').addEventListener('change', loadHistory);
  $('call-form').addEventListener('submit', register);
  $('consult-open').addEventListener('click', openConsult);
  $('consult-save').addEventListener('click', saveConsultation);
  $('new-call').addEventListener('click', () => { resetCall(); $('result').hidden = true; lastResult = null; });
  wireKeys();
  onStaffLang(() => { renderChosen(); renderResult(); fillTopics(); if (chosen) $('type-search').value = typeLabel(chosen); });
  $('phone').focus();
}

main();
