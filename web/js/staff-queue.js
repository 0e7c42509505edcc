// Queues (web/staff/queue.html) for dispatchers, executors and supervisors:
// tabs for the queues the role may use, polled every 3 s with
// If-None-Match; overdue rows marked; deadlines as countdowns (Kyiv time);
// a row opens the appeal card (GET /api/v1/staff/appeals/{number}) with
// the timeline, extensions and one small form per allowed action.
import { getCategories, getConfig } from './api.js';
import { lang, nameOf } from './i18n.js';
import { dateTime, eventWord, priorityWord, span, statusWord, timeOnly } from './format.js';
import { leaflet, makeMap } from './map.js';
import {
  checkFiles, errorText as photoError, limitsOf, photoField, pt, renderGallery, showError as showPhotoError, uploadPhotos,
} from './photos.js';
import {
  el, errorText, initStaff, onStaffLang, orgName, rememberOrgs, session, showError, st, staffApi, toLogin,
} from './staff.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 3000;
const PAGE = 50;

// Each queue and the right that opens it (the session lists the caller's
// rights), in the order the tabs show them.
const QUEUES = [
  ['escalations', 'queue_control'], ['extensions', 'queue_control'], ['disputed', 'queue_control'],
  ['triage', 'queue_triage'], ['organisation', 'queue_org'],
];

let tabs = [];
let queue = null;
let orgFilter = '';
let limit = PAGE;
let items = [];
let total = 0;
let etag = null;
let etagUrl = null;
let seen = new Set();
let pollTimer = null;
let card = null;          // the open appeal's staff view
let cardMap = null;
let categories = [];
let orgs = [];
let config = null;
let notice = '';

// ---------------------------------------------------------------- time

let ZONE = 'Europe/Kyiv';
try { new Intl.DateTimeFormat('en', { timeZone: ZONE }); } catch { ZONE = 'Europe/Kiev'; }

// Kyiv's offset from UTC at `ms`, in milliseconds.
function kyivOffset(ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}

// "2026-12-01T15:00" read as Kyiv time → ISO 8601 UTC.
export function kyivToIso(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local || '');
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = wall - kyivOffset(wall);
  t = wall - kyivOffset(t);
  return new Date(t).toISOString();
}

// ISO → "2026-12-01T15:00" in Kyiv time (for datetime-local values).
function isoToKyivLocal(iso) {
  const ms = new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '';
  return new Date(ms + kyivOffset(ms)).toISOString().slice(0, 16);
}

// The deadline that matters now: the applicant's confirmation while done;
// else the queue's next_deadline_at (reaction until accepted, then
// resolution), or the same worked out from the card's fields.
function deadlineOf(a) {
  if (a.status === 'done') return a.confirm_due_at ? { kind: 'confirmDue', at: a.confirm_due_at } : null;
  const reacted = a.reacted === true || Boolean(a.reacted_at);
  const at = a.next_deadline_at
    || (!reacted && a.reaction_due_at && a.reaction_due_at < a.resolution_due_at ? a.reaction_due_at : a.resolution_due_at);
  if (!at) return null;
  return { kind: !reacted && at === a.reaction_due_at ? 'reactionDue' : 'resolutionDue', at };
}

function countdown(a) {
  const d = deadlineOf(a);
  const flagged = a.status !== 'done' && (a.reaction_overdue === true || a.resolution_overdue === true || a.overdue === true);
  if (!d) return { text: '', overdue: flagged };
  const ms = new Date(d.at).getTime() - Date.now();
  const overdue = ms <= 0 || flagged;
  const text = `${st('q.' + d.kind)}: ${ms <= 0 ? st('q.overdueBy', { left: span(ms) }) : st('q.left', { left: span(ms) })}`;
  return { text, overdue, at: d.at };
}

// ---------------------------------------------------------------- tabs and polling

function queueUrl() {
  const q = new URLSearchParams({ limit: String(limit), offset: '0' });
  if (queue === 'organisation' && session.user.role !== 'executor') q.set('organisation', orgFilter);
  return `/api/v1/queues/${queue}?${q}`;
}

function renderTabs() {
  $('tabs').replaceChildren(...tabs.map((name) => el('button', {
    type: 'button', role: 'tab', class: 'tab', id: 'tab-' + name, 'aria-controls': 'queue-panel',
    'aria-selected': name === queue ? 'true' : 'false', tabindex: name === queue ? '0' : '-1',
    onclick: () => selectQueue(name, true),
  }, st('q.' + name))));
  $('queue-panel').setAttribute('aria-labelledby', 'tab-' + queue);
  $('org-field').hidden = !(queue === 'organisation' && session.user.role !== 'executor');
}

function onTabKey(e) {
  if (e.target.getAttribute('role') !== 'tab') return;
  const i = tabs.indexOf(queue);
  let next = null;
  if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
  else if (e.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
  else if (e.key === 'Home') next = tabs[0];
  else if (e.key === 'End') next = tabs[tabs.length - 1];
  if (!next) return;
  e.preventDefault();
  selectQueue(next, true);
  $('tab-' + next).focus();
}

function selectQueue(name, push) {
  if (!tabs.includes(name)) name = tabs[0];
  if (name !== queue) { queue = name; limit = PAGE; items = []; seen = new Set(); etag = null; }
  renderTabs();
  if (push) writeHash();
  poll();
}

async function poll() {
  clearTimeout(pollTimer);
  const url = queueUrl();
  const headers = {};
  if (etag && etagUrl === url) headers['If-None-Match'] = etag;
  let r = null;
  try { r = await staffApi(url, { headers }); } catch { r = null; }
  if (url !== queueUrl()) return; // the tab changed meanwhile; that poll runs its own
  if (r && r.status === 304) {
    $('queue-updated').textContent = st('q.updated', { time: timeOnly(new Date()) });
  } else if (r && r.ok && r.data) {
    etag = r.headers.get('ETag');
    etagUrl = url;
    items = Array.isArray(r.data.items) ? r.data.items : [];
    total = Number.isFinite(r.data.total) ? r.data.total : items.length;
    renderList();
    $('queue-updated').textContent = st('q.updated', { time: timeOnly(new Date()) });
  } else if (r && r.status === 401) {
    toLogin();
    return;
  } else {
    $('queue-updated').textContent = st('q.stale', { error: r ? errorText(r) : st('err.network') });
  }
  if (!document.hidden) pollTimer = setTimeout(poll, POLL_MS);
}

function rowOf(a, fresh) {
  const cd = countdown(a);
  const number = a.number;
  const addr = a.address || (a.location && a.location.address);
  const pending = Boolean(a.extension);
  const row = el('a', {
    href: '#' + new URLSearchParams({ queue, number }).toString(),
    class: 'q-row' + (cd.overdue ? ' is-overdue' : '') + (fresh ? ' is-new' : ''),
    'data-number': number, 'aria-current': card && card.number === number ? 'true' : null,
  },
  el('span', {},
    el('span', { class: 'q-num', text: '№ ' + number }),
    ' ', el('span', { class: 'badge badge-' + String(a.status || '').replace(/[^a-z_]/g, ''), text: statusWord(a.status) }),
    cd.overdue ? el('span', { class: 'flag flag-overdue', text: st('q.overdue') }) : null,
    a.flagged ? el('span', { class: 'flag flag-warn', text: st('q.flagged') }) : null,
    pending ? el('span', { class: 'flag flag-warn', text: st('q.pending') }) : null,
    a.reopen_count ? el('span', { class: 'flag flag-warn', text: st('q.reopened', { n: a.reopen_count }) }) : null),
  el('span', { class: 'q-due', 'data-due': '1', text: cd.text }),
  el('span', { class: 'q-what' },
    el('span', { class: a.priority === 'emergency' ? 'prio-emergency' : '', text: priorityWord(a.priority) }),
    ' · ', `${nameOf(a.category)} → ${nameOf(a.type)}`),
  el('span', { class: 'q-meta', text: [addr, orgName(a.organisation), dateTime(a.created_at)].filter(Boolean).join(' · ') }),
  pending ? el('span', { class: 'q-meta', text: `${st('q.pending')}: ${dateTime(a.extension.due_at)} — ${a.extension.reason}` }) : null);
  return row;
}

function renderList() {
  const list = $('queue-list');
  const first = seen.size === 0;
  list.replaceChildren(...items.map((a) => {
    const fresh = !first && !seen.has(a.number);
    return el('li', {}, rowOf(a, fresh));
  }));
  for (const a of items) seen.add(a.number);
  $('queue-empty').hidden = items.length > 0;
  $('queue-total').textContent = st('q.total', { n: total });
  $('queue-more').hidden = items.length >= total;
  const tab = $('tab-' + queue);
  if (tab) tab.replaceChildren(st('q.' + queue), ' ', el('span', { class: 'count', text: `(${total})` }));
}

function tickCountdowns() {
  const rows = $('queue-list').querySelectorAll('.q-row');
  rows.forEach((row, i) => {
    const a = items[i];
    if (!a) return;
    const cd = countdown(a);
    row.querySelector('[data-due]').textContent = cd.text;
    row.classList.toggle('is-overdue', cd.overdue);
  });
  if (card) {
    const cd = countdown(card);
    const n = $('card-countdown');
    if (n) { n.textContent = cd.text; n.classList.toggle('is-overdue', cd.overdue); }
  }
}

// ---------------------------------------------------------------- the card

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { queue: p.get('queue'), number: p.get('number') };
}

function writeHash() {
  const p = new URLSearchParams({ queue });
  if (card) p.set('number', card.number);
  history.replaceState(null, '', '#' + p.toString());
}

async function openCard(number, focus) {
  if (!/^\d{4}-\d{6,9}$/.test(number || '')) { closeCard(); return; }
  const box = $('card');
  box.hidden = false;
  $('queue-layout').classList.add('has-card');
  box.replaceChildren(el('p', { class: 'hint', text: st('loading') }));
  let r;
  try { r = await staffApi('/api/v1/staff/appeals/' + encodeURIComponent(number)); } catch { r = null; }
  if (!r || !r.ok || !r.data) {
    card = null;
    box.replaceChildren(el('h2', { id: 'card-title', text: '№ ' + number }),
      el('p', { class: 'field-error', role: 'alert', text: r ? errorText(r) : st('err.network') }),
      closeButton());
    return;
  }
  card = r.data;
  notice = '';
  renderCard();
  markCurrent();
  if (focus) box.focus();
}

function closeCard() {
  card = null;
  $('card').hidden = true;
  $('card').replaceChildren();
  $('queue-layout').classList.remove('has-card');
  if (cardMap) { cardMap.remove(); cardMap = null; }
  markCurrent();
}

function markCurrent() {
  for (const row of $('queue-list').querySelectorAll('.q-row')) {
    if (card && row.dataset.number === card.number) row.setAttribute('aria-current', 'true');
    else row.removeAttribute('aria-current');
  }
}

function closeButton() {
  return el('button', {
    type: 'button', class: 'mp-close', 'aria-label': st('c.close'), title: st('c.close'),
    onclick: () => {
      const n = card && card.number;
      closeCard();
      writeHash();
      const row = n && $('queue-list').querySelector(`[data-number="${n}"]`);
      if (row) row.focus();
    },
  }, '×');
}

const fact = (label, value) => (value ? el('div', {}, el('dt', { text: label }), el('dd', {}, value)) : null);

function telLink(phone) {
  return phone ? el('a', { href: 'tel:' + String(phone).replace(/[^0-9+]/g, ''), text: phone }) : null;
}

function eventsOf(a) {
  const list = a.events || a.timeline || [];
  return Array.isArray(list) ? list : [];
}

function eventText(ev) {
  const word = st('ev.' + ev.kind);
  if (word !== 'ev.' + ev.kind) return word;
  const pub = eventWord(ev.kind);
  return pub !== eventWord('__none__') ? pub : ev.kind;
}

function eventData(ev) {
  const d = ev.data;
  if (!d || typeof d !== 'object') return null;
  const parts = [];
  for (const [k, v] of Object.entries(d)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    parts.push(`${k}: ${v}`);
  }
  return parts.length ? parts.join(' · ') : null;
}


// "applicant" (the tracking link), "resident:<id>" (the cabinet), "system",
// "staff:<login>": the first three in words, staff by login.
function actorWord(actor) {
  if (actor === 'applicant') return st('c.actor.applicant');
  if (actor.startsWith('resident:')) return st('c.actor.resident');
  if (actor === 'system') return st('c.actor.system');
  return actor.replace(/^staff:/, '');
}

function renderTimeline(a) {
  return el('ol', { class: 'timeline' }, eventsOf(a).map((ev) => {
    const internal = ev.public === false || ev.public === 0;
    return el('li', {
      class: 'tl-item tl-' + String(ev.kind || '').replace(/[^a-z_]/g, '') + (internal ? ' tl-internal' : ''),
    },
    el('time', { datetime: ev.at, class: 'tl-time', text: dateTime(ev.at) }),
    el('span', { class: 'tl-what', 'data-internal': internal ? st('c.internal') : null, text: eventText(ev) }),
    ev.actor ? el('span', { class: 'tl-actor', text: st('c.by', { actor: actorWord(ev.actor) }) }) : null,
    ev.note ? el('span', { class: 'tl-note', text: ev.note }) : null,
    eventData(ev) ? el('span', { class: 'tl-actor', text: eventData(ev) }) : null);
  }));
}

function renderExtensions(a) {
  const list = Array.isArray(a.extensions) ? a.extensions : [];
  if (!list.length) return null;
  return [el('h3', { text: st('c.extensions') }), el('ul', { class: 'ext-list' }, list.map((x) => el('li', {},
    st('c.ext.item', { due: dateTime(x.due_at || x.new_due_at), reason: x.reason || '' }), ' — ',
    el('strong', { text: st('c.ext.' + (x.status || 'pending')) }),
    x.decision_note || x.note ? el('span', { class: 'hint', text: ' ' + (x.decision_note || x.note) }) : null)))];
}

function renderCard() {
  const a = card;
  const box = $('card');
  const ap = a.applicant || {};
  const loc = a.location || {};
  const cd = countdown(a);
  const actions = Array.isArray(a.allowed_actions) ? a.allowed_actions : [];
  // replaceChildren turns null into the text "null": drop the absent parts first
  box.replaceChildren(...[
    closeButton(),
    el('h2', { id: 'card-title' }, '№ ', el('span', { id: 'card-number', text: a.number })),
    el('p', { class: 'status-line' },
      el('span', { id: 'card-status', class: 'badge badge-' + String(a.status || '').replace(/[^a-z_]/g, ''), text: statusWord(a.status) }),
      el('span', { class: a.priority === 'emergency' ? 'prio-emergency' : '', text: priorityWord(a.priority) }),
      el('strong', { id: 'card-countdown', class: cd.overdue ? 'is-overdue' : '', text: cd.text })),
    notice ? el('p', { class: 'action-ok', role: 'status', text: notice }) : null,
    el('dl', { class: 'facts' },
      fact(st('c.what'), `${nameOf(a.category)} → ${nameOf(a.type)}`),
      fact(st('c.org'), orgName(a.organisation)),
      fact(st('c.assignee'), a.assignee ? (a.assignee.name || a.assignee.login || String(a.assignee)) : null),
      fact(st('c.name'), ap.name),
      fact(st('c.phone'), telLink(ap.phone)),
      fact(st('c.email'), ap.email ? el('a', { href: 'mailto:' + ap.email, text: ap.email }) : null),
      fact(st('c.channel'), a.channel ? st('ch.' + a.channel) : null),
      fact(st('c.address'), loc.address),
      fact(st('c.created'), dateTime(a.created_at)),
      fact(st('c.reaction'), a.reaction_due_at ? dateTime(a.reaction_due_at) : null),
      fact(st('c.resolution'), a.resolution_due_at ? dateTime(a.resolution_due_at) : null),
      fact(st('c.confirmDue'), a.confirm_due_at ? dateTime(a.confirm_due_at) : null),
      a.reopen_count ? fact(st('c.reopens', { n: a.reopen_count }), ' ') : null,
      a.rating ? fact(st('c.rating', { n: a.rating }), ' ') : null,
      a.parent ? fact(st('c.parent', { number: a.parent.number || a.parent }), ' ') : null,
      a.done_by ? fact(st('c.doneBy'), a.done_by.name || a.done_by.login) : null),
    el('h3', { text: st('c.description') }),
    el('p', { class: 'description', text: a.description || '' }),
    el('div', { id: 'card-map', class: 'map map-small' }),
    Number.isFinite(loc.lat) ? el('p', { class: 'hint', text: `${loc.lat.toFixed(6)}, ${loc.lon.toFixed(6)}` }) : null,
    renderExtensions(a),
    renderPhotos(a),
    el('h3', { text: st('c.actions') }),
    actions.length ? el('div', { class: 'action-list' }, actions.map(actionForm)) : el('p', { class: 'hint', text: st('c.noActions') }),
    el('h3', { text: st('c.timeline') }),
    renderTimeline(a)].flat().filter((x) => x !== null && x !== undefined && x !== false));
  drawMap(loc);
}

// ---------------------------------------------------------------- photos

// Dispatchers and supervisors decide which photos the public view shows.
const mayPublish = () => ['dispatcher', 'supervisor'].includes(session.user && session.user.role);

function publishButton(p) {
  if (!mayPublish()) return null;
  const b = el('button', { type: 'button', class: 'button button-secondary button-small', 'data-photo-public': String(p.id), text: pt(p.public ? 'makePrivate' : 'makePublic') });
  b.addEventListener('click', async () => {
    b.disabled = true;
    let r;
    try { r = await staffApi('/api/v1/photos/' + p.id, { method: 'POST', body: { public: !p.public } }); } catch { r = null; }
    b.disabled = false;
    if (!r || !r.ok) { notice = r ? errorText(r) : st('err.network'); renderCard(); return; }
    await openCard(card.number, false);
  });
  return b;
}

function renderPhotos(a) {
  const box = el('div', { id: 'card-photos', class: 'photos' });
  renderGallery(box, a.photos || [], { extra: publishButton });
  return [el('h3', { text: pt('title') }), box];
}

// The "done" form's photos go up first (POST /api/v1/appeals/{n}/photos);
// the done action follows only when they were stored. True when fine.
async function uploadDonePhotos(form, errBox) {
  const input = form.querySelector('input[type=file]');
  const files = input ? [...input.files] : [];
  if (!files.length) return true;
  const limits = limitsOf(config);
  const have = Array.isArray(card.photos) ? card.photos.length : 0;
  const status = form.querySelector('[role=status]');
  const fieldErr = form.querySelector('.photo-field .field-error');
  const problems = checkFiles(files, limits, have);
  showPhotoError(fieldErr, problems.join(' '));
  if (problems.length) { input.focus(); return false; }
  let r = null;
  try {
    r = await uploadPhotos(`/api/v1/appeals/${encodeURIComponent(card.number)}/photos`, files, {
      headers: { 'X-CSRF-Token': session.csrf || '' },
      onProgress: (pct) => { status.textContent = pt('uploading', { pct }); },
    });
  } catch { r = null; }
  status.textContent = '';
  if (!r) { showError(errBox, null, st('err.network')); return false; }
  if (!r.ok) { showPhotoError(fieldErr, photoError(r)); input.focus(); return false; }
  input.value = '';
  return true;
}

function drawMap(loc) {
  if (cardMap) { cardMap.remove(); cardMap = null; }
  const box = $('card-map');
  const L = leaflet();
  if (!L || !Number.isFinite(loc.lat) || !Number.isFinite(loc.lon)) { box.hidden = true; return; }
  cardMap = makeMap(box, config, { center: [loc.lat, loc.lon], zoom: 16, showBounds: false });
  if (!cardMap) return;
  cardMap.scrollWheelZoom.disable();
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', `${st('c.address')}: ${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`);
  box.removeAttribute('tabindex');
  cardMap.keyboard.disable();
  L.marker([loc.lat, loc.lon], { keyboard: false, interactive: false }).addTo(cardMap);
}

// ---------------------------------------------------------------- action forms

function selectOf(id, options, value) {
  return el('select', { id, name: id }, options.map(([v, label]) => el('option', { value: v, selected: v === value ? true : null, text: label })));
}

function textField(form, name, label, { required = true, multiline = true } = {}) {
  const id = `${form}-${name}`;
  return el('div', { class: 'field' },
    el('label', { for: id, text: label }),
    multiline ? el('textarea', { id, name, rows: '2', maxlength: '2000', 'data-required': required ? label : null })
      : el('input', { id, name, type: 'text', 'data-required': required ? label : null }));
}

function fieldsFor(action) {
  const f = 'act-' + action;
  const a = card;
  switch (action) {
    case 'assign':
      return [el('div', { class: 'field' }, el('label', { for: f + '-organisation', text: st('f.organisation') }),
        selectOf(f + '-organisation', orgs.map((o) => [o.code, nameOf(o)]), a.organisation && (a.organisation.code || a.organisation)))];
    case 'reclassify': {
      const catSel = selectOf(f + '-category', categories.map((c) => [c.code, nameOf(c)]), a.category && a.category.code);
      const typeSel = el('select', { id: f + '-type', name: f + '-type' });
      const fillTypes = () => {
        const c = categories.find((x) => x.code === catSel.value);
        typeSel.replaceChildren(...(c ? c.types : []).map((ty) => el('option', {
          value: ty.code, selected: a.type && ty.code === a.type.code ? true : null, text: nameOf(ty),
        })));
      };
      catSel.addEventListener('change', fillTypes);
      fillTypes();
      return [el('div', { class: 'field' }, el('label', { for: f + '-category', text: st('f.category') }), catSel),
        el('div', { class: 'field' }, el('label', { for: f + '-type', text: st('f.type') }), typeSel),
        textField(f, 'reason', st('f.reason'))];
    }
    case 'reject': case 'forward': case 'return': case 'reopen':
      return [textField(f, 'reason', st('f.reason'))];
    case 'merge':
      return [textField(f, 'parent', st('f.parent'), { multiline: false })];
    case 'done':
      return [textField(f, 'comment', st('f.comment')), photoField(f + '-photos', limitsOf(config)).root];
    case 'request_extension': {
      const base = a.resolution_due_at ? new Date(new Date(a.resolution_due_at).getTime() + 3 * 86400000).toISOString() : new Date().toISOString();
      return [el('div', { class: 'field' }, el('label', { for: f + '-due_at', text: st('f.dueAt') }),
        el('input', { id: f + '-due_at', name: 'due_at', type: 'datetime-local', value: isoToKyivLocal(base), 'data-required': st('f.dueAt') })),
      textField(f, 'reason', st('f.reason'))];
    }
    case 'approve_extension': case 'refuse_extension':
      return [textField(f, 'note', st('f.note'), { required: false })];
    default:
      return [];
  }
}

function bodyFor(action, form) {
  const f = 'act-' + action;
  const val = (name) => { const n = form.querySelector('#' + f + '-' + name); return n ? n.value.trim() : ''; };
  const body = { action };
  switch (action) {
    case 'assign': body.organisation = val('organisation'); break;
    case 'reclassify': body.category = val('category'); body.type = val('type'); body.reason = val('reason'); break;
    case 'reject': case 'forward': case 'return': case 'reopen': body.reason = val('reason'); break;
    case 'merge': body.parent = val('parent'); break;
    case 'done': body.comment = val('comment'); break;
    case 'request_extension': body.reason = val('reason'); body.due_at = kyivToIso(val('due_at')); break;
    case 'approve_extension': case 'refuse_extension': if (val('note')) body.note = val('note'); break;
    default: break;
  }
  return body;
}

const SIMPLE = new Set(['accept', 'start']);

function actionForm(action) {
  const errBox = el('div', { class: 'submit-error', role: 'alert', hidden: true });
  const button = el('button', {
    type: 'submit', class: 'button ' + (SIMPLE.has(action) ? 'button-primary' : 'button-secondary'),
    'data-action': action, text: st('a.' + action),
  });
  const form = el('form', { class: 'action-form', 'data-action': action, novalidate: true }, errBox, fieldsFor(action), el('p', {}, button));
  form.addEventListener('submit', (e) => { e.preventDefault(); act(action, form, errBox, button); });
  if (SIMPLE.has(action)) return el('div', { class: 'action action-simple' }, form);
  return el('details', { class: 'action' }, el('summary', { text: st('a.' + action) }), form);
}

async function act(action, form, errBox, button) {
  errBox.hidden = true;
  for (const n of form.querySelectorAll('[data-required]')) {
    n.removeAttribute('aria-invalid');
    if (!n.value.trim()) {
      n.setAttribute('aria-invalid', 'true');
      showError(errBox, null, st('f.required', { field: n.dataset.required }));
      n.focus();
      return;
    }
  }
  button.disabled = true;
  if (action === 'done' && !(await uploadDonePhotos(form, errBox))) { button.disabled = false; return; }
  let r;
  try {
    r = await staffApi(`/api/v1/appeals/${encodeURIComponent(card.number)}/actions`, { method: 'POST', body: bodyFor(action, form) });
  } catch { r = null; }
  button.disabled = false;
  if (!r) { showError(errBox, null, st('err.network')); return; }
  if (!r.ok || !r.data) { showError(errBox, r); errBox.focus?.(); return; }
  const msg = st('c.done', { action: st('a.' + action) });
  if (Array.isArray(r.data.allowed_actions) && Array.isArray(r.data.events)) {
    card = r.data; // the staff view
    renderCard();
  } else {
    await openCard(card.number, false); // the answer is shorter than the card: read it again
  }
  notice = msg;
  if (card) renderCard();
  $('card').focus();
  poll();
}

// ---------------------------------------------------------------- start

function fillOrgFilter() {
  const sel = $('org-filter');
  if (!orgFilter && orgs.length) orgFilter = localStorage.getItem('kontakt.queueOrg') || orgs[0].code;
  sel.replaceChildren(...orgs.map((o) => el('option', { value: o.code, selected: o.code === orgFilter ? true : null, text: nameOf(o) })));
}

async function main() {
  const user = await initStaff('queue');
  tabs = QUEUES.filter(([, right]) => session.rights.includes(right)).map(([name]) => name);
  try { [config, categories] = await Promise.all([getConfig(), getCategories()]); } catch { categories = []; }
  orgs = rememberOrgs(categories).sort((x, y) => nameOf(x).localeCompare(nameOf(y), lang()));
  fillOrgFilter();
  $('org-filter').addEventListener('change', () => {
    orgFilter = $('org-filter').value;
    try { localStorage.setItem('kontakt.queueOrg', orgFilter); } catch { /* private mode */ }
    limit = PAGE; seen = new Set(); poll();
  });
  $('tabs').addEventListener('keydown', onTabKey);
  $('queue-more').addEventListener('click', () => { limit += PAGE; poll(); });
  // The open appeal's row again: the address does not change, so read it anew here.
  $('queue-list').addEventListener('click', (e) => {
    const row = e.target.closest('.q-row');
    if (row && card && row.dataset.number === card.number) { e.preventDefault(); openCard(card.number, true); }
  });
  const h = readHash();
  selectQueue(h.queue || tabs[0], false);
  if (h.number) openCard(h.number, false);
  window.addEventListener('hashchange', () => {
    const x = readHash();
    if (x.queue && x.queue !== queue) selectQueue(x.queue, false);
    if (x.number && (!card || card.number !== x.number)) openCard(x.number, true);
    if (!x.number && card) closeCard();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && card && !e.target.closest('details[open] form')) {
      const n = card.number;
      closeCard();
      writeHash();
      const row = $('queue-list').querySelector(`[data-number="${n}"]`);
      if (row) row.focus();
    }
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
  setInterval(tickCountdowns, 1000);
  onStaffLang(() => { renderTabs(); renderList(); fillOrgFilter(); if (card) renderCard(); });
}

main();
