// The resident's cabinet: /cabinet.html (the list) and /cabinet.html#NUMBER
// (one appeal), docs/RESIDENTS.md. Signed out, it shows the code sign-in
// (cabinet-code.js); signed in: my appeals, "I follow too", preferences,
// adding a phone/email, my data, closing the account, signing out.
import { initPage, el, say } from './common.js';
import { api, NetworkError } from './api.js';
import { addWords, lang, nameOf, onLangChange, t } from './i18n.js';
import { dateTime, eventWord, span, statusWord } from './format.js';
import { WORDS } from './cabinet-text.js';
import { codeBox, errorText } from './cabinet-code.js';

addWords(WORDS);

const $ = (id) => document.getElementById(id);
const NUMBER = /^#(\d{4}-\d{6,})$/;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const PHOTO_MAX_COUNT = 5;
const REACTION_OPEN = new Set(['new', 'registered', 'assigned']);
const RESOLUTION_CLOSED = new Set(['done', 'closed', 'rejected', 'forwarded', 'duplicate']);

let me = null;      // GET /api/v1/me: {resident, csrf_token}
let list = null;    // GET /api/v1/me/appeals
let appeal = null;  // the opened appeal
let lastOpened = null;
let signinBox = null;
let addBox = null;
let addKinds = '';
let ticker = null;

const csrf = () => (me ? { 'X-CSRF-Token': me.csrf_token } : {});

async function call(path, opts = {}) {
  try {
    return await api(path, { ...opts, headers: { ...csrf(), ...(opts.headers || {}) } });
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    return null;
  }
}

const badge = (status) => el('span', { class: 'badge badge-' + String(status || '').replace(/[^a-z_]/g, ''), text: statusWord(status) });

// --- signed out / signed in -------------------------------------------------
function showSignedOut(note) {
  me = null;
  list = null;
  appeal = null;
  $('cabinet').hidden = true;
  $('signin').hidden = false;
  addBox?.stop();
  addBox = null;
  addKinds = '';
  if (!signinBox) {
    signinBox = codeBox($('signin-box'), 'si', {
      kinds: ['phone', 'email'], submitKey: 'cab.code.signin', headers: csrf,
      onDone: async () => { signinBox.reset(); await loadMe(true); },
    });
  }
  say($('cab-status'), note || '');
  renderHeading();
}

async function loadMe(focus) {
  say($('cab-status'), t('loading'));
  const r = await call('/api/v1/me');
  if (!r) { say($('cab-status'), t('error.network')); return; }
  if (r.status === 401) { showSignedOut(); return; }
  if (!r.ok || !r.data) { say($('cab-status'), errorText(r)); return; }
  me = r.data;
  say($('cab-status'), '');
  $('signin').hidden = true;
  $('cabinet').hidden = false;
  renderMe();
  await loadList();
  await route(focus);
}

function renderMe() {
  const who = me.resident;
  $('who').textContent = t('cab.who', { who: [who.phone, who.email].filter(Boolean).join(', ') });
  $('my-phone').textContent = who.phone || t('cab.none');
  $('my-email').textContent = who.email || t('cab.none');
  for (const i of document.querySelectorAll('input[name="notify"]')) i.checked = i.value === who.notify;
  for (const i of document.querySelectorAll('input[name="plang"]')) i.checked = i.value === who.lang;
  const kinds = [!who.phone ? 'phone' : null, !who.email ? 'email' : null].filter(Boolean);
  $('contact-add').hidden = kinds.length === 0;
  if (addBox && addKinds === kinds.join()) { addBox.relabel(); return; }
  addBox?.stop();
  addBox = null;
  addKinds = kinds.join();
  if (kinds.length) {
    addBox = codeBox($('add-box'), 'add', {
      kinds, submitKey: 'cab.code.confirm', headers: csrf,
      onDone: async () => {
        await loadMe(false);
        say($('cab-status'), t('cab.add.done'));
        $('cab-heading').focus();
      },
    });
  }
}

// --- the list ------------------------------------------------------------------
async function loadList() {
  const r = await call('/api/v1/me/appeals');
  if (r && r.status === 401) { showSignedOut(); return; }
  if (!r || !r.ok || !r.data) { say($('cab-status'), errorText(r)); return; }
  list = r.data;
  renderList();
}

const newestFirst = (a, b) => String(b.created_at).localeCompare(String(a.created_at));

function item(a, own) {
  const what = [nameOf(a.category), nameOf(a.type)].filter(Boolean).join(' — ');
  const head = own
    ? el('a', { class: 'cab-link', href: '#' + a.number, 'aria-label': `${t('cab.item.open', { number: a.number })}: ${what}` },
      el('span', { class: 'cab-num', text: '№ ' + a.number }), el('span', { class: 'cab-what', text: what }))
    : el('p', { class: 'cab-link' }, el('span', { class: 'cab-num', text: '№ ' + a.number }), el('span', { class: 'cab-what', text: what }));
  const open = !RESOLUTION_CLOSED.has(a.status);
  const when = a.closed_at ? t('cab.item.closed', { time: dateTime(a.closed_at) })
    : t('cab.item.due', { time: dateTime(a.resolution_due_at) });
  return el('li', { class: 'cab-item', 'data-number': a.number },
    head,
    el('p', { class: 'status-line' }, badge(a.status),
      a.overdue && open ? el('span', { class: 'badge badge-overdue', text: t('track.overdue') }) : null),
    own && a.address ? el('p', { class: 'cab-meta', text: a.address }) : null,
    el('p', { class: 'cab-meta' }, nameOf(a.organisation), ' · ', when),
    own ? null : el('p', {}, el('button', {
      type: 'button', class: 'button button-secondary cab-stop', text: t('cab.subs.stop'),
      'aria-label': t('cab.subs.stopLabel', { number: a.number }), onclick: (e) => unfollow(a.number, e.currentTarget),
    })));
}

function renderList() {
  if (!list) return;
  const mine = [...(list.appeals || [])].sort(newestFirst);
  $('mine').replaceChildren(...mine.map((a) => item(a, true)));
  $('mine-empty').hidden = mine.length > 0;
  const subs = list.subscriptions || [];
  $('subs').replaceChildren(...subs.map((a) => item(a, false)));
  if (!subs.length) $('subs').replaceChildren(el('li', { class: 'hint', text: t('cab.subs.empty') }));
}

async function unfollow(number, button) {
  button.disabled = true;
  const r = await call(`/api/v1/me/subscriptions/${encodeURIComponent(number)}/delete`, { method: 'POST' });
  button.disabled = false;
  if (!r || (r.status !== 204 && r.status !== 404)) { say($('subs-status'), errorText(r)); return; }
  list.subscriptions = (list.subscriptions || []).filter((a) => a.number !== number);
  renderList();
  say($('subs-status'), t('cab.subs.stopped', { number }));
  $('subs-title').focus();
}

// --- one appeal -------------------------------------------------------------------
async function route(focus) {
  if (!me) return;
  if (focus) say($('cab-status'), ''); // a note of the last step, not of this view
  const m = NUMBER.exec(location.hash);
  if (!m) {
    appeal = null;
    $('detail').hidden = true;
    $('list-view').hidden = false;
    renderHeading();
    const link = lastOpened && document.querySelector(`.cab-item[data-number="${lastOpened}"] a`);
    if (focus && link) link.focus();
    else if (focus) $('cab-heading').focus();
    return;
  }
  $('list-view').hidden = true;
  $('detail').hidden = false;
  say($('da-ok'), '');
  await loadAppeal(m[1], focus);
}

async function loadAppeal(number, focus) {
  lastOpened = number;
  const msg = $('d-status-msg');
  say(msg, t('loading'));
  const r = await call('/api/v1/me/appeals/' + encodeURIComponent(number));
  if (r && r.status === 401) { showSignedOut(); return; }
  if (!r || !r.ok || !r.data) {
    appeal = null;
    $('d-heading').textContent = t('track.number', { number });
    for (const n of $('detail').querySelectorAll('.card, .facts, section, .status-line, .refresh-row')) n.hidden = true;
    say(msg, r && r.status === 404 ? t('cab.notMine') : errorText(r));
    if (focus) $('d-heading').focus();
    return;
  }
  say(msg, '');
  for (const n of $('detail').querySelectorAll('.card, .facts, section, .status-line, .refresh-row')) n.hidden = false;
  appeal = r.data;
  renderAppeal();
  if (focus) $('d-heading').focus();
}

function renderDeadline(boxId, iso, running) {
  const box = $(boxId);
  box.querySelector('.due').textContent = iso ? t('track.due', { time: dateTime(iso) }) : '—';
  const left = box.querySelector('.left');
  box.classList.remove('is-overdue', 'is-running');
  if (!iso || !running) { left.textContent = ''; return; }
  const ms = new Date(iso).getTime() - Date.now();
  left.textContent = t(ms <= 0 ? 'track.overdueBy' : 'track.left', { left: span(ms) });
  box.classList.add(ms <= 0 ? 'is-overdue' : 'is-running');
}

function tick() {
  if (!appeal || $('detail').hidden) return;
  renderDeadline('d-reaction', appeal.reaction_due_at, REACTION_OPEN.has(appeal.status));
  renderDeadline('d-resolution', appeal.resolution_due_at, !RESOLUTION_CLOSED.has(appeal.status));
  $('d-overdue').hidden = !(appeal.overdue === true || $('d-reaction').classList.contains('is-overdue')
    || $('d-resolution').classList.contains('is-overdue'));
}

function renderAppeal() {
  const a = appeal;
  $('d-heading').replaceChildren(el('span', { class: 'h1-label', text: t('track.numberLabel') }), ' ',
    el('span', { class: 'h1-number', text: a.number }));
  document.title = `${t('track.number', { number: a.number })} — ${t('site.name')}`;
  $('d-status').replaceWith(Object.assign(badge(a.status), { id: 'd-status' }));
  $('d-category').textContent = nameOf(a.category);
  $('d-type').textContent = nameOf(a.type);
  $('d-org').textContent = nameOf(a.organisation);
  $('d-created').textContent = dateTime(a.created_at);
  $('d-address').textContent = (a.location && a.location.address) || t('track.noAddress');
  $('d-description').textContent = a.description || '';
  $('d-maplink').href = '/map.html#number=' + encodeURIComponent(a.number);
  const photos = Array.isArray(a.photos) ? a.photos : [];
  $('d-photos-box').hidden = photos.length === 0;
  $('d-photos').replaceChildren(...photos.map((p) => el('li', {},
    el('img', { src: `/api/v1/photos/${encodeURIComponent(p.id)}/thumb`, alt: t('cab.photoAlt'), loading: 'lazy', width: '160', height: '120' }))));
  const items = Array.isArray(a.timeline) ? a.timeline : [];
  $('d-timeline').replaceChildren(...items.map((ev) => el('li', { class: 'tl-item tl-' + String(ev.kind || 'unknown').replace(/[^a-z_]/g, '') },
    el('time', { datetime: ev.at, class: 'tl-time', text: dateTime(ev.at) }),
    el('span', { class: 'tl-what', text: eventWord(ev.kind) }),
    ev.note ? el('span', { class: 'tl-note', text: ev.note }) : null)));
  renderActions();
  tick();
}

function renderActions() {
  const a = appeal;
  const can = new Set(Array.isArray(a.allowed_actions) ? a.allowed_actions : []);
  $('da-confirm-box').hidden = !(can.has('confirm') || can.has('dispute'));
  $('da-confirm').hidden = !can.has('confirm');
  $('da-dispute').hidden = !can.has('dispute');
  $('da-rate').hidden = !can.has('rate');
  $('da-comment').hidden = !can.has('comment');
  $('da-photo').hidden = !can.has('photo');
  const rated = Number.isInteger(a.rating) ? t('cab.act.yourRating', { n: a.rating }) : '';
  if (rated && $('da-ok').hidden) say($('da-ok'), rated);
  $('d-actions').hidden = can.size === 0 && $('da-ok').hidden;
}

async function act(body, okKey, button) {
  const err = $('da-error');
  say(err, '');
  if (button) button.disabled = true;
  const r = await call(`/api/v1/me/appeals/${encodeURIComponent(appeal.number)}/actions`, { method: 'POST', body });
  if (button) button.disabled = false;
  if (!r || !r.ok || !r.data) { say(err, errorText(r)); err.focus(); return false; }
  appeal = r.data;
  say($('da-ok'), [t(okKey), Number.isInteger(appeal.rating) && okKey === 'cab.act.rated' ? t('cab.act.yourRating', { n: appeal.rating }) : ''].filter(Boolean).join(' '));
  renderAppeal();
  $('da-ok').focus();
  return true;
}

function needs(input, key) {
  say($('da-error'), t(key));
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

async function sendPhotos(ev) {
  ev.preventDefault();
  const input = $('da-photo-file');
  input.removeAttribute('aria-invalid');
  const files = [...input.files];
  if (!files.length) return needs(input, 'cab.act.needPhoto');
  if (files.length > PHOTO_MAX_COUNT) return needs(input, 'cab.act.photoMany');
  const odd = files.find((f) => !PHOTO_TYPES.includes(f.type));
  if (odd) { say($('da-error'), t('cab.act.photoType', { name: odd.name })); input.focus(); return; }
  const big = files.find((f) => f.size > PHOTO_MAX_BYTES);
  if (big) { say($('da-error'), t('cab.act.photoBig', { name: big.name })); input.focus(); return; }
  const form = new FormData();
  for (const f of files) form.append('photo', f, f.name);
  say($('da-error'), '');
  ev.submitter && (ev.submitter.disabled = true);
  let res = null;
  let data = null;
  try {
    res = await fetch(`/api/v1/me/appeals/${encodeURIComponent(appeal.number)}/photos`, {
      method: 'POST', body: form, credentials: 'same-origin', cache: 'no-store',
      headers: { Accept: 'application/json', 'Accept-Language': lang(), ...csrf() },
    });
    try { data = await res.json(); } catch { data = null; }
  } catch { res = null; }
  ev.submitter && (ev.submitter.disabled = false);
  if (!res || !res.ok) {
    const text = !res ? t('error.network')
      : [t('cab.act.photoFailed', { status: res.status }), data && data.error ? errorText({ data }) : ''].filter(Boolean).join(' ');
    say($('da-error'), text);
    $('da-error').focus();
    return;
  }
  input.value = '';
  say($('da-ok'), t('cab.act.photoSent'));
  await loadAppeal(appeal.number, false);
  $('da-ok').focus();
}

function wireActions() {
  $('da-confirm').addEventListener('click', (e) => act({ action: 'confirm' }, 'cab.act.confirmed', e.currentTarget));
  $('da-dispute').addEventListener('submit', async (e) => {
    e.preventDefault();
    const c = $('da-dispute-text');
    c.removeAttribute('aria-invalid');
    if (!c.value.trim()) return needs(c, 'cab.act.needWhat');
    if (await act({ action: 'dispute', comment: c.value.trim() }, 'cab.act.disputed', e.submitter)) c.value = '';
  });
  $('da-rate').addEventListener('submit', async (e) => {
    e.preventDefault();
    const picked = document.querySelector('#da-rate input[name="rating"]:checked');
    if (!picked) { say($('da-error'), t('cab.act.needRating')); $('da-r1').focus(); return; }
    await act({ action: 'rate', rating: Number(picked.value) }, 'cab.act.rated', e.submitter);
  });
  $('da-comment').addEventListener('submit', async (e) => {
    e.preventDefault();
    const c = $('da-comment-text');
    c.removeAttribute('aria-invalid');
    if (c.value.trim().length < 3) return needs(c, 'cab.act.needComment');
    if (await act({ action: 'comment', comment: c.value.trim() }, 'cab.act.commented', e.submitter)) c.value = '';
  });
  $('da-photo').addEventListener('submit', sendPhotos);
  $('d-refresh').addEventListener('click', () => appeal && loadAppeal(appeal.number, false));
}

// --- preferences, data, closing, signing out ----------------------------------------
function wireAccount() {
  $('prefs').addEventListener('submit', async (e) => {
    e.preventDefault();
    say($('prefs-status'), '');
    say($('prefs-error'), '');
    const notify = document.querySelector('input[name="notify"]:checked');
    const plang = document.querySelector('input[name="plang"]:checked');
    const body = {};
    if (notify) body.notify = notify.value;
    if (plang) body.lang = plang.value;
    e.submitter && (e.submitter.disabled = true);
    const r = await call('/api/v1/me/preferences', { method: 'POST', body });
    e.submitter && (e.submitter.disabled = false);
    if (!r || !r.ok || !r.data) { say($('prefs-error'), errorText(r)); $('prefs-error').focus(); return; }
    Object.assign(me.resident, r.data);
    say($('prefs-status'), t('cab.prefs.saved'));
  });
  $('close-start').addEventListener('click', () => {
    $('close-confirm').hidden = false;
    $('close-start').setAttribute('aria-expanded', 'true');
    $('close-confirm').focus();
  });
  $('close-no').addEventListener('click', () => {
    $('close-confirm').hidden = true;
    $('close-start').setAttribute('aria-expanded', 'false');
    $('close-start').focus();
  });
  $('close-yes').addEventListener('click', async (e) => {
    say($('close-error'), '');
    e.currentTarget.disabled = true;
    const r = await call('/api/v1/me/close', { method: 'POST', body: { confirm: true } });
    $('close-yes').disabled = false;
    if (!r || r.status !== 204) { say($('close-error'), errorText(r)); return; }
    $('close-confirm').hidden = true;
    $('close-start').setAttribute('aria-expanded', 'false');
    leave(t('cab.closed'));
  });
  $('logout').addEventListener('click', async (e) => {
    e.currentTarget.disabled = true;
    const r = await call('/api/v1/me/logout', { method: 'POST' });
    $('logout').disabled = false;
    if (!r || (r.status !== 204 && r.status !== 401)) { say($('cab-status'), errorText(r)); return; }
    leave(t('cab.signedOut'));
  });
}

function leave(note) {
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  showSignedOut(note);
  $('cab-heading').focus();
}

function renderHeading() {
  if (!appeal || $('detail').hidden) document.title = t('cab.pageTitle');
}

async function main() {
  wireActions();
  wireAccount();
  onLangChange(() => {
    signinBox?.relabel();
    if (me) { renderMe(); renderList(); }
    if (appeal && !$('detail').hidden) renderAppeal();
    renderHeading();
  });
  window.addEventListener('hashchange', () => route(true));
  await initPage();
  await loadMe(false);
  ticker = setInterval(tick, 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { clearInterval(ticker); ticker = null; } else if (!ticker) { tick(); ticker = setInterval(tick, 1000); }
  });
}

main();
