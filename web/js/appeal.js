// The appeal form: category → type (with the "call 104 now" alert), description,
// a pin on the map (or typed coordinates), contacts; client checks that mirror
// the server's; POST /api/v1/appeals with an Idempotency-Key; confirmation.
import { initPage, el, say } from './common.js';
import { checkFiles, errorText, hintText, limitsOf, photoField, pt, showError, uploadPhotos } from './photos.js';
import { api, getCategories, NetworkError } from './api.js';
import { field as localized, nameOf, onLangChange, t } from './i18n.js';
import { dateTime, priorityWord, statusWord, within } from './format.js';
import { cpLength, emailValid, hasControl, inBounds, normalizePhone, parseCoord } from './validate.js';
import { leaflet, makeMap } from './map.js';
import { watchDuplicates } from './duplicates.js';
import { addressAutocomplete, nearestAddress } from './address.js';

const $ = (id) => document.getElementById(id);

const form = $('appeal-form');
const catSelect = $('category');
const typesBox = $('types');
const latInput = $('lat');
const lonInput = $('lon');
const desc = $('description');

let config = null;
let categories = [];
let limits = { description_min: 10, description_max: 4000, name_max: 200, address_max: 300 };
let map = null;
let marker = null;
let addressAuto = false; // the address field holds what a pin filled in, not the resident's text
let submitted = false;     // after the first submit attempt every field is checked live
let sending = false;
let lastAttempt = null;    // {key, bodyText}: a retry of the same body reuses the key
let result = null;         // the 201 body once filed
const serverErrors = {};   // field key → message from the server (until the field is edited)

// ---------------------------------------------------------------- fields

const FIELDS = ['category', 'type', 'description', 'location', 'lat', 'lon', 'address', 'name', 'phone', 'email'];

// Server JSON paths → our field keys (docs/API.md: error.fields).
const PATHS = {
  category: 'category', type: 'type', description: 'description',
  location: 'location', 'location.lat': 'lat', 'location.lon': 'lon', 'location.address': 'address',
  applicant: 'name', 'applicant.name': 'name', 'applicant.phone': 'phone', 'applicant.email': 'email',
};

const LABEL = {
  category: 'field.category', type: 'field.type', description: 'field.description',
  location: 'appeal.map', lat: 'field.lat', lon: 'field.lon', address: 'field.address',
  name: 'field.name', phone: 'field.phone', email: 'field.email',
};

// The control(s) that carry aria-invalid, and the one to focus.
function controls(key) {
  switch (key) {
    case 'type': return [...typesBox.querySelectorAll('input[type=radio]')];
    case 'location': return [latInput, lonInput];
    default: return [$(key)].filter(Boolean);
  }
}
function focusTarget(key) {
  if (key === 'type') {
    const radios = controls('type');
    return radios.find((r) => r.checked) || radios[0] || catSelect;
  }
  if (key === 'location') return latInput;
  return $(key) || form;
}

const value = (id) => $(id).value;
const selectedCategory = () => categories.find((c) => c.code === catSelect.value) || null;
function selectedType() {
  const cat = selectedCategory();
  const r = typesBox.querySelector('input[type=radio]:checked');
  return cat && r ? (cat.types || []).find((ty) => ty.code === r.value) || null : null;
}

// Returns {k, vars} (a dictionary key) or null.
function check(key) {
  switch (key) {
    case 'category': return catSelect.value ? null : { k: 'v.category' };
    case 'type': return selectedType() ? null : (catSelect.value ? { k: 'v.type' } : null);
    case 'description': {
      const s = value('description').trim();
      const n = cpLength(s);
      if (!n) return { k: 'v.required' };
      if (hasControl(s)) return { k: 'v.control' };
      if (n < limits.description_min) return { k: 'v.tooShort', vars: { min: limits.description_min } };
      if (n > limits.description_max) return { k: 'v.tooLong', vars: { max: limits.description_max } };
      return null;
    }
    case 'lat': case 'lon': {
      const s = value(key).trim();
      if (!s) return null; // an empty pair is reported once, under "location"
      return Number.isFinite(parseCoord(s)) ? null : { k: 'v.number' };
    }
    case 'location': {
      const a = value('lat').trim();
      const b = value('lon').trim();
      if (!a || !b) return { k: 'v.pin' };
      const lat = parseCoord(a);
      const lon = parseCoord(b);
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null; // reported per field
      return inBounds(config && config.city && config.city.bounds, lat, lon) ? null : { k: 'v.bounds' };
    }
    case 'address': {
      const s = value('address').trim();
      if (hasControl(s)) return { k: 'v.control' };
      return cpLength(s) > limits.address_max ? { k: 'v.tooLong', vars: { max: limits.address_max } } : null;
    }
    case 'name': {
      const s = value('name').trim();
      if (!s) return { k: 'v.required' };
      if (hasControl(s)) return { k: 'v.control' };
      return cpLength(s) > limits.name_max ? { k: 'v.tooLong', vars: { max: limits.name_max } } : null;
    }
    case 'phone': {
      const s = value('phone').trim();
      if (!s) return { k: 'v.required' };
      return normalizePhone(s) ? null : { k: 'v.phone' };
    }
    case 'email': {
      const s = value('email').trim();
      return !s || emailValid(s) ? null : { k: 'v.email' };
    }
    default: return null;
  }
}

function messageFor(key) {
  const c = check(key);
  if (c) return t(c.k, c.vars);
  return serverErrors[key] || '';
}

function show(key) {
  // Messages appear on submit (never on blur: a message that pops up while the
  // resident reaches for the button moves the button away), then follow edits.
  const msg = (submitted || serverErrors[key]) ? messageFor(key) : '';
  const p = $(key + '-error');
  if (p) say(p, msg);
  let invalid = !!msg;
  if (key === 'lat' || key === 'lon') invalid = invalid || !!(submitted && messageFor('location'));
  for (const c of controls(key)) {
    if (invalid) c.setAttribute('aria-invalid', 'true');
    else c.removeAttribute('aria-invalid');
  }
  return msg;
}

function currentErrors() {
  const out = [];
  for (const key of FIELDS) {
    const msg = messageFor(key);
    if (msg) out.push({ key, msg });
  }
  // Server errors on paths we have no field for (e.g. "channel", "foo").
  for (const [key, msg] of Object.entries(serverErrors)) {
    if (!FIELDS.includes(key)) out.push({ key, msg });
  }
  return out;
}

function renderSummary() {
  const box = $('error-summary');
  const errs = currentErrors();
  if (!submitted || !errs.length) { box.hidden = true; return errs; }
  $('error-list').replaceChildren(...errs.map(({ key, msg }) => {
    const label = LABEL[key] ? t(LABEL[key]) : key;
    const target = FIELDS.includes(key) ? focusTarget(key) : null;
    if (!target) return el('li', { text: `${label}: ${msg}` });
    if (!target.id) target.id = 'f-' + key;
    return el('li', {}, el('a', {
      href: '#' + target.id,
      onclick: (ev) => { ev.preventDefault(); target.focus(); },
    }, `${label}: ${msg}`));
  }));
  box.hidden = false;
  return errs;
}

function refresh(key) {
  show(key);
  if (key === 'lat' || key === 'lon' || key === 'location') { show('lat'); show('lon'); show('location'); }
  if (submitted) renderSummary();
}

function edited(key) {
  delete serverErrors[key];
  if (key === 'lat' || key === 'lon' || key === 'location') {
    delete serverErrors.location; delete serverErrors.lat; delete serverErrors.lon;
  }
  refresh(key);
}

// ---------------------------------------------------------------- categories and types

function renderCategories() {
  const keep = catSelect.value || new URLSearchParams(location.search).get('category') || '';
  const first = catSelect.options[0];
  first.textContent = t('appeal.category.choose');
  catSelect.replaceChildren(first, ...categories.map((c) => el('option', { value: c.code, text: nameOf(c) })));
  if (categories.some((c) => c.code === keep)) catSelect.value = keep;
}

function typeLine(ty) {
  return t('appeal.typeLine', { priority: priorityWord(ty.priority), resolution: within(ty.resolution) });
}

function renderTypes(keepCode) {
  const cat = selectedCategory();
  $('type-empty').hidden = !!cat;
  if (!cat) { typesBox.replaceChildren(); renderTypeInfo(); return; }
  const keep = keepCode !== undefined ? keepCode : (selectedType() || {}).code;
  typesBox.replaceChildren(...(cat.types || []).map((ty) => {
    const id = 'type-' + ty.code;
    const input = el('input', {
      type: 'radio', name: 'type', id, value: ty.code,
      'aria-describedby': `${id}-desc type-error`, checked: ty.code === keep,
    });
    input.addEventListener('change', () => { edited('type'); renderTypeInfo(); });
    return el('div', { class: 'radio' + (ty.alert_phone ? ' radio-alert' : '') }, input,
      el('label', { for: id },
        el('span', { class: 'radio-name', text: nameOf(ty) }),
        el('span', { class: 'radio-desc', id: id + '-desc', text: typeLine(ty) })));
  }));
  renderTypeInfo();
}

function renderTypeInfo() {
  const ty = selectedType();
  const box = $('alert-box');
  const info = $('type-info');
  if (ty && ty.alert_phone) {
    const hint = localized(ty, 'hint');
    const tel = 'tel:' + String(ty.alert_phone).replace(/[^0-9+]/g, '');
    box.replaceChildren(
      el('p', { class: 'alert-title', text: t('appeal.alert.title', { phone: ty.alert_phone }) }),
      hint ? el('p', { text: hint }) : null,
      el('p', {}, el('a', { class: 'button button-danger button-large', href: tel },
        t('appeal.alert.call', { phone: ty.alert_phone }))),
      el('p', { class: 'alert-after', text: t('appeal.alert.after') }));
    box.hidden = false;
  } else {
    box.hidden = true;
    box.replaceChildren();
  }
  // A safety hint of a type without an alert phone ("keep 8 m away from a broken wire").
  const hint = ty && !ty.alert_phone ? localized(ty, 'hint') : null;
  say($('type-hint'), hint);
  if (ty) {
    info.textContent = t('appeal.typeInfo', {
      priority: priorityWord(ty.priority), reaction: within(ty.reaction), resolution: within(ty.resolution),
    });
    info.className = 'type-info type-info-' + (ty.priority || 'normal');
    info.hidden = false;
  } else {
    info.hidden = true;
  }
}

// ---------------------------------------------------------------- counter

function renderCounter() {
  const n = cpLength(desc.value.trim());
  const max = limits.description_max;
  const left = limits.description_min - n;
  const c = $('description-counter');
  c.textContent = left > 0 ? t('appeal.counterMin', { n, max, left }) : t('appeal.counter', { n, max });
  c.classList.toggle('counter-over', n > max);
}

// ---------------------------------------------------------------- map

const round6 = (x) => Math.round(x * 1e6) / 1e6;

function placeMarker(lat, lon) {
  const L = leaflet();
  if (!map || !L) return;
  if (!marker) {
    marker = L.marker([lat, lon], { draggable: true, keyboard: true, autoPan: true, title: t('appeal.map') });
    marker.on('dragend', () => {
      const p = marker.getLatLng();
      setCoords(p.lat, p.lng, false);
      describePin(p.lat, p.lng);
    });
    marker.addTo(map);
  } else {
    marker.setLatLng([lat, lon]);
  }
}

// From the map (click, drag, centre, geolocation): fill the fields.
function setCoords(lat, lon, moveMarker = true) {
  latInput.value = String(round6(lat));
  lonInput.value = String(round6(lon));
  if (moveMarker) placeMarker(lat, lon);
  edited('location');
  document.dispatchEvent(new CustomEvent('kontakt:pin'));
}

// A dropped pin fills the address with the nearest known one, unless the
// resident wrote an address of their own.
async function describePin(lat, lon) {
  const input = $('address');
  if (input.value.trim() && !addressAuto) return;
  const s = await nearestAddress(round6(lat), round6(lon));
  if (input.value.trim() && !addressAuto) return; // typed meanwhile
  input.value = s ? s.label_uk : '';
  addressAuto = !!s;
  say($('map-note'), s ? t('address.fromPin') : '');
  edited('address');
}

// A chosen suggestion with coordinates moves the pin there.
function addressChosen(s) {
  addressAuto = false;
  edited('address');
  if (typeof s.lat !== 'number' || typeof s.lon !== 'number') return;
  setCoords(s.lat, s.lon);
  if (map) map.setView([s.lat, s.lon], Math.max(map.getZoom(), 16));
}

// From the fields: move the pin.
function coordsTyped() {
  const lat = parseCoord(latInput.value);
  const lon = parseCoord(lonInput.value);
  if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    placeMarker(lat, lon);
    if (map && !map.getBounds().contains([lat, lon])) map.panTo([lat, lon]);
  }
}

function initMap() {
  const box = $('map');
  const note = $('map-note');
  if (!leaflet()) {
    box.hidden = true;
    say(note, t('appeal.map.unavailable'));
    return;
  }
  map = makeMap(box, config, { onTileError: () => say(note, t('appeal.map.offline')) });
  if (!map) return;
  map.on('click', (e) => { setCoords(e.latlng.lat, e.latlng.lng); describePin(e.latlng.lat, e.latlng.lng); });
  const centre = $('pin-center');
  centre.hidden = false;
  centre.addEventListener('click', () => {
    const c = map.getCenter();
    setCoords(c.lat, c.lng);
    describePin(c.lat, c.lng);
  });
  if ('geolocation' in navigator && window.isSecureContext) {
    const loc = $('locate');
    loc.hidden = false;
    loc.addEventListener('click', () => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          setCoords(pos.coords.latitude, pos.coords.longitude);
          describePin(pos.coords.latitude, pos.coords.longitude);
          map.setView([pos.coords.latitude, pos.coords.longitude], 17);
        },
        () => say(note, t('appeal.map.locateFailed')),
        { enableHighAccuracy: true, timeout: 15000 });
    });
  }
}

// ---------------------------------------------------------------- submit

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  // Not a secure context (plain http on a LAN): same shape from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function body() {
  const location_ = { lat: parseCoord(latInput.value), lon: parseCoord(lonInput.value) };
  const address = value('address').trim();
  if (address) location_.address = address;
  const applicant = { name: value('name').trim(), phone: value('phone').trim() };
  const email = value('email').trim();
  if (email) applicant.email = email;
  return {
    category: catSelect.value,
    type: selectedType().code,
    description: value('description').trim(),
    location: location_,
    applicant,
    channel: 'web',
  };
}

function setSending(on) {
  sending = on;
  const b = $('submit');
  b.disabled = on;
  b.textContent = t(on ? 'appeal.submitting' : 'appeal.submit');
  form.setAttribute('aria-busy', on ? 'true' : 'false');
}

function failSubmit(text, retry) {
  const box = $('submit-error');
  box.replaceChildren(el('p', { class: 'alert-title', text: t('appeal.failed') }), el('p', { text }),
    retry ? el('p', { text: t('appeal.retryNote') }) : null);
  box.hidden = false;
}

async function submit(ev) {
  ev.preventDefault();
  if (sending) return;
  submitted = true;
  $('submit-error').hidden = true;
  for (const k of FIELDS) show(k);
  const errs = renderSummary();
  if (errs.length) { $('error-summary').focus(); return; }
  const photoErrs = photoProblems();
  showError(photoUi ? photoUi.error : $('submit-error'), photoErrs.join(' '));
  if (photoErrs.length) { photoUi.input.focus(); return; }

  const b = body();
  const bodyText = JSON.stringify(b);
  if (!lastAttempt || lastAttempt.bodyText !== bodyText) lastAttempt = { key: uuid(), bodyText };
  setSending(true);
  let r;
  try {
    r = await api('/api/v1/appeals', { method: 'POST', body: bodyText, headers: { 'Idempotency-Key': lastAttempt.key } });
  } catch (e) {
    setSending(false);
    if (e instanceof NetworkError) failSubmit(t('error.network'), true);
    else throw e;
    return;
  }
  setSending(false);
  if (r.ok && r.data && r.data.number) {
    showConfirmation(r.data);
    await sendChosenPhotos(r.data.tracking_token);
    return;
  }

  const err = (r.data && r.data.error) || {};
  if (r.status === 422 && err.fields) {
    for (const [path, fe] of Object.entries(err.fields)) {
      const key = PATHS[path] || path;
      serverErrors[key] = (fe && fe.message) || err.message || path;
    }
    for (const k of FIELDS) show(k);
    renderSummary();
    $('error-summary').focus();
    return;
  }
  if (err.code === 'idempotency_key_reused') lastAttempt = null; // next try gets a fresh key
  if (r.status === 429) failSubmit(err.message || t('error.rate'), true);
  else if (r.status >= 500) failSubmit(err.message || t('error.server'), true);
  else failSubmit(err.message || t('error.server'), false);
  $('submit-error').focus();
}

// ---------------------------------------------------------------- confirmation

function renderConfirmation() {
  if (!result) return;
  const r = result;
  $('done-number').textContent = r.number;
  $('done-status').textContent = statusWord(r.status);
  $('done-what').textContent = [nameOf(r.category), nameOf(r.type)].filter(Boolean).join(' — ');
  $('done-org').textContent = nameOf(r.organisation);
  $('done-district').textContent = r.district ? nameOf(r.district) : t('district.none');
  $('done-reaction').textContent = dateTime(r.reaction_due_at);
  $('done-resolution').textContent = dateTime(r.resolution_due_at);
  const url = new URL(r.tracking_url || ('/track.html#' + r.tracking_token), location.origin).href;
  $('done-link').value = url;
  $('done-open').href = url;
  document.title = `${t('done.title')} ${r.number} — ${t('site.name')}`;
}

// Photos: chosen in the form, sent with the tracking token after the 201
// (POST /api/v1/track/{token}/photos); a refused photo never loses the appeal.
let photoUi = null;

function photoProblems() {
  if (!photoUi) return [];
  return checkFiles([...photoUi.input.files], limitsOf(config));
}

function renderPhotoField() {
  const limits = limitsOf(config);
  if (!photoUi) {
    photoUi = photoField('photo-input', limits);
    $('photo-slot').replaceChildren(photoUi.root);
    photoUi.input.addEventListener('change', () => showError(photoUi.error, photoProblems().join(' ')));
  }
  $('photo-legend').firstChild.textContent = pt('title') + ' ';
  photoUi.root.querySelector('label').textContent = pt('label');
  $('photo-input-hint').textContent = hintText(limits);
}

async function sendChosenPhotos(token) {
  const files = photoUi ? [...photoUi.input.files] : [];
  if (!files.length) return;
  const box = $('done-photos');
  const status = $('done-photos-status');
  box.hidden = false;
  showError($('done-photos-error'), '');
  let r = null;
  try {
    r = await uploadPhotos('/api/v1/track/' + encodeURIComponent(token) + '/photos', files,
      { onProgress: (pct) => { status.textContent = pt('uploading', { pct }); } });
  } catch { r = null; }
  if (r && r.ok) {
    status.textContent = pt('uploaded', { n: r.data.photos.length });
    photoUi.input.value = '';
    return;
  }
  status.textContent = '';
  showError($('done-photos-error'), r ? errorText(r) : pt('network'));
}

function showConfirmation(data) {
  result = data;
  form.hidden = true;
  for (const e of document.querySelectorAll('.emergency-compact, #appeal-title')) e.hidden = true;
  const sec = $('confirmation');
  sec.hidden = false;
  renderConfirmation();
  sec.focus();
  window.scrollTo(0, 0);
}

async function copyLink() {
  const input = $('done-link');
  const status = $('copy-status');
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = t('done.copied');
  } catch {
    input.focus();
    input.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    status.textContent = t(ok ? 'done.copied' : 'done.copyFailed');
  }
}

// ---------------------------------------------------------------- wiring

function wire() {
  form.addEventListener('submit', submit);
  catSelect.addEventListener('change', () => {
    delete serverErrors.type;
    renderTypes(null);
    edited('category');
    if (submitted) refresh('type');
  });
  desc.addEventListener('input', renderCounter);
  for (const id of ['description', 'address', 'name', 'phone', 'email']) {
    $(id).addEventListener('input', () => edited(id));
  }
  $('address').addEventListener('input', () => { addressAuto = false; });
  addressAutocomplete($('address'), { onChoose: addressChosen });
  for (const input of [latInput, lonInput]) {
    input.addEventListener('input', () => { coordsTyped(); edited(input.id); });
  }
  $('copy-link').addEventListener('click', copyLink);
  onLangChange(() => {
    renderCategories();
    renderTypes();
    renderCounter();
    for (const k of FIELDS) show(k);
    renderSummary();
    if (!sending) setSending(false);
    if (marker) marker.options.title = t('appeal.map');
    renderConfirmation();
  });
}

async function main() {
  wire();
  renderCounter();
  config = await initPage();
  renderPhotoField();
  onLangChange(renderPhotoField);
  if (config && config.limits) limits = { ...limits, ...config.limits };
  renderCounter();
  initMap();
  try {
    categories = await getCategories();
  } catch {
    failSubmit(t('error.loadCategories'), false);
    return;
  }
  renderCategories();
  const wantType = new URLSearchParams(location.search).get('type');
  renderTypes(wantType || undefined);
  watchDuplicates({ category: catSelect, lat: latInput, lon: lonInput, phone: $('phone'),
    email: $('email'), box: $('duplicates') });
}

main();
