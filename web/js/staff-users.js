// Staff accounts (web/staff/users.html, admin only): the list (GET
// /api/v1/users), a new account (POST /api/v1/users; the TOTP secret and
// its otpauth URI are shown once for supervisors and admins), and changes
// (POST /api/v1/users/{login}: role, organisation, name, password, active).
import { getCategories } from './api.js';
import { lang, nameOf } from './i18n.js';
import {
  el, initStaff, onStaffLang, orgName, rememberOrgs, roleWord, session, showError, st, staffApi,
} from './staff.js';

const $ = (id) => document.getElementById(id);
const ROLES = ['operator', 'dispatcher', 'executor', 'supervisor', 'analyst', 'admin'];
let users = [];
let orgs = [];

function roleOptions(value) {
  return ROLES.map((r) => el('option', { value: r, selected: r === value ? true : null, text: roleWord(r) }));
}

function orgOptions(value) {
  return [el('option', { value: '', text: st('u.org.none') }),
    ...orgs.map((o) => el('option', { value: o.code, selected: o.code === value ? true : null, text: nameOf(o) }))];
}

function say(text) { $('users-status').textContent = text; }

function editRow(u) {
  const id = 'edit-' + u.login.replace(/[^A-Za-z0-9_-]/g, '_');
  const err = el('div', { class: 'submit-error', role: 'alert', hidden: true });
  const name = el('input', { id: id + '-name', type: 'text', value: u.name || '', maxlength: '120' });
  const role = el('select', { id: id + '-role' }, roleOptions(u.role));
  const org = el('select', { id: id + '-org' }, orgOptions(u.organisation || ''));
  const pw = el('input', { id: id + '-password', type: 'password', autocomplete: 'new-password', maxlength: '256' });
  const active = el('input', { id: id + '-active', type: 'checkbox', checked: u.active ? true : null });
  const form = el('form', { class: 'user-edit', novalidate: true }, err,
    el('div', { class: 'field' }, el('label', { for: name.id, text: st('u.name') }), name),
    el('div', { class: 'field' }, el('label', { for: role.id, text: st('u.role') }), role),
    el('div', { class: 'field' }, el('label', { for: org.id, text: st('u.org') }), org),
    el('div', { class: 'field' }, el('label', { for: pw.id, text: st('u.passwordNew') }), pw),
    el('label', { class: 'check', for: active.id }, active, st('u.active')),
    el('p', {}, el('button', { type: 'submit', class: 'button button-primary', text: st('u.save') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    const body = {};
    if (name.value.trim() !== (u.name || '')) body.name = name.value.trim();
    if (role.value !== u.role) body.role = role.value;
    if (org.value !== (u.organisation || '')) body.organisation = org.value;
    if (pw.value) body.password = pw.value;
    if (active.checked !== Boolean(u.active)) body.active = active.checked;
    if (!Object.keys(body).length) return;
    if ((body.role || u.role) === 'executor' && !(org.value)) { showError(err, null, st('u.needOrg')); org.focus(); return; }
    await save(u.login, body, err);
  });
  return el('details', {}, el('summary', { text: st('u.edit') }), form);
}

async function save(login, body, err) {
  let r;
  try { r = await staffApi('/api/v1/users/' + encodeURIComponent(login), { method: 'POST', body }); } catch { r = null; }
  if (!r) { showError(err, null, st('err.network')); return; }
  if (!r.ok) { showError(err, r); return; }
  say(st('u.saved', { login }));
  await load();
}

function quickToggle(u) {
  const b = el('button', { type: 'button', class: 'button button-secondary', text: u.active ? st('u.deactivate') : st('u.activate') });
  b.addEventListener('click', async () => {
    b.disabled = true;
    let r;
    try { r = await staffApi('/api/v1/users/' + encodeURIComponent(u.login), { method: 'POST', body: { active: !u.active } }); } catch { r = null; }
    b.disabled = false;
    if (r && r.ok) { say(st('u.saved', { login: u.login })); await load(); } else say(r ? (r.data?.error?.message || '') : st('err.network'));
  });
  return b;
}

function render() {
  const body = $('users-body');
  if (!users.length) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '6', text: st('u.none') })));
    return;
  }
  body.replaceChildren(...users.map((u) => el('tr', { class: u.active ? '' : 'is-inactive', 'data-login': u.login },
    el('td', {}, el('strong', { text: u.login })),
    el('td', { text: u.name || '' }),
    el('td', { text: roleWord(u.role) }),
    el('td', { text: u.organisation ? orgName(u.organisation) : '' }),
    el('td', {}, u.active ? '✓ ' + st('u.active') : st('u.inactive'), ' ', u.login === session.user.login ? null : quickToggle(u)),
    el('td', {}, editRow(u)))));
}

async function load() {
  let r;
  try { r = await staffApi('/api/v1/users'); } catch { r = null; }
  if (!r || !r.ok || !r.data) { say(r ? (r.data?.error?.message || '') : st('err.network')); return; }
  users = Array.isArray(r.data.users) ? r.data.users : [];
  users.sort((a, b) => a.login.localeCompare(b.login));
  render();
}

async function create(e) {
  e.preventDefault();
  const err = $('create-error');
  err.hidden = true;
  $('totp-box').hidden = true;
  const body = {
    login: $('new-login').value.trim(), name: $('new-name').value.trim(),
    role: $('new-role').value, password: $('new-password').value,
  };
  if ($('new-org').value) body.organisation = $('new-org').value;
  if (body.role === 'executor' && !body.organisation) { showError(err, null, st('u.needOrg')); $('new-org').focus(); return; }
  let r;
  try { r = await staffApi('/api/v1/users', { method: 'POST', body }); } catch { r = null; }
  if (!r) { showError(err, null, st('err.network')); err.focus(); return; }
  if (r.status !== 201 && !r.ok) { showError(err, r); err.focus(); return; }
  $('create-form').reset();
  say(st('u.created', { login: body.login }));
  if (r.data && r.data.totp_uri) {
    const box = $('totp-box');
    box.replaceChildren(el('p', { text: st('u.totp') }),
      el('p', {}, el('code', { id: 'totp-uri', text: r.data.totp_uri })),
      r.data.totp_secret ? el('p', {}, el('code', { text: st('u.totpSecret', { secret: r.data.totp_secret }) })) : null);
    box.hidden = false;
  }
  await load();
}

function fillCreate() {
  const role = $('new-role').value || 'operator';
  $('new-role').replaceChildren(...roleOptions(role));
  const org = $('new-org').value;
  $('new-org').replaceChildren(...orgOptions(org));
}

async function main() {
  await initStaff('users');
  try { orgs = rememberOrgs(await getCategories()).sort((x, y) => nameOf(x).localeCompare(nameOf(y), lang())); } catch { orgs = []; }
  fillCreate();
  $('create-form').addEventListener('submit', create);
  onStaffLang(() => { fillCreate(); render(); });
  await load();
}

main();
