// Staff sign-in: sessions, cookie flags, CSRF, TOTP, failed-login limits,
// expiry, the users API, and the hotline's exemption from the rate limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, call, assertError, assertFieldError, assertSchema, rawRequest } from './helpers.mjs';
import { validAppeal } from '../lib/server.mjs';
import { addUser, signIn, totpCode, GOOD_PASSWORD } from '../lib/staff.mjs';

let srv;
before(async () => { srv = await start({ env: { KONTAKT_RATE_APPEALS: '3' } }); });
after(async () => { await srv.stop(); });

const login = (body, headers = {}) => call(srv.url, 'POST', '/api/v1/auth/login', { json: body, headers });

test('login sets an HttpOnly SameSite cookie, answers the user and a CSRF token; only a hash is stored', async () => {
  addUser(srv, { login: 'op-a', role: 'operator', name: 'Оксана Оператор' });
  const res = await login({ login: 'op-a', password: GOOD_PASSWORD });
  assert.equal(res.status, 200, res.text);
  assertSchema('StaffSession', res.body);
  assert.deepEqual(res.body.user, { login: 'op-a', name: 'Оксана Оператор', role: 'operator', organisation: null });
  // the rights of the role, from the server's one table: pages show and hide by these
  assert.deepEqual(res.body.rights, ['console', 'view_appeals']);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^kontakt_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
  const token = cookie.split(';')[0].split('=')[1];
  const stored = await srv.sql('SELECT token_hash FROM sessions');
  assert.ok(!stored.includes(token), 'the raw token must not be stored');
  assert.match(stored.trim().split('\n').pop(), /^[0-9a-f]{64}$/);
  const pw = await srv.sql("SELECT password_hash FROM users WHERE login = 'op-a'");
  assert.match(pw, /^\$argon2id\$/);
  // behind TLS (the trusted proxy says so) the cookie is Secure: see the proxy test below
});

test('GET /auth/me gives the session back (with its CSRF token); logout needs the CSRF header and ends it', async () => {
  addUser(srv, { login: 'op-b', role: 'operator' });
  const s = await signIn(srv, { login: 'op-b' });
  const me = await s.call('GET', '/api/v1/auth/me');
  assert.equal(me.status, 200);
  assertSchema('StaffSession', me.body);
  assert.equal(me.body.csrf_token, s.csrf);
  assertError(await s.call('POST', '/api/v1/auth/logout', { headers: { 'X-CSRF-Token': 'f'.repeat(64) } }), 403, 'csrf_failed');
  assertError(await s.call('POST', '/api/v1/auth/logout', { headers: { 'X-CSRF-Token': '' } }), 403, 'csrf_failed');
  const out = await s.call('POST', '/api/v1/auth/logout');
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /kontakt_session=; .*Max-Age=0/);
  assertError(await s.call('GET', '/api/v1/auth/me'), 401, 'auth_required');
  assertError(await call(srv.url, 'GET', '/api/v1/auth/me'), 401, 'auth_required');
  assertError(await call(srv.url, 'GET', '/api/v1/auth/me', { headers: { Cookie: 'kontakt_session=' + 'x'.repeat(43) } }), 401, 'auth_required');
});

test('wrong password and unknown login answer the same 401; a bad body answers 422 naming the field', async () => {
  addUser(srv, { login: 'op-c', role: 'operator' });
  assertError(await login({ login: 'op-c', password: 'not-the-password-1' }), 401, 'invalid_credentials');
  assertError(await login({ login: 'nobody-here', password: 'not-the-password-1' }), 401, 'invalid_credentials');
  const bad = await login({ login: 'op-c' });
  assertError(bad, 422, 'validation_failed');
  assertFieldError(bad, 'password', ['required']);
  const extra = await login({ login: 'op-c', password: 'x', admin: true }, { 'Accept-Language': 'en' });
  assertFieldError(extra, 'admin', ['unknown_field']);
  assert.match(extra.body.error.fields.admin.message, /unknown field/);
});

test('supervisors and admins need a TOTP code: missing → totp_required, wrong → invalid_totp, right → signed in', async () => {
  const sup = addUser(srv, { login: 'sup-a', role: 'supervisor' });
  assert.match(sup.totp_secret, /^[A-Z2-7]{32}$/);
  assertError(await login({ login: 'sup-a', password: GOOD_PASSWORD }), 401, 'totp_required');
  const wrong = String((Number(totpCode(sup.totp_secret)) + 500000) % 1000000).padStart(6, '0');
  assertError(await login({ login: 'sup-a', password: GOOD_PASSWORD, totp: wrong }), 401, 'invalid_totp');
  // the previous 30-second step is accepted (clock drift) ...
  const prev = await login({ login: 'sup-a', password: GOOD_PASSWORD, totp: totpCode(sup.totp_secret, Date.now() - 30000) });
  assert.equal(prev.status, 200, prev.text);
  const code = totpCode(sup.totp_secret);
  const ok = await login({ login: 'sup-a', password: GOOD_PASSWORD, totp: code });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.user.role, 'supervisor');
  // ... but a code is good once: a replay, or an older step, is refused
  assertError(await login({ login: 'sup-a', password: GOOD_PASSWORD, totp: code }), 401, 'invalid_totp');
  assertError(await login({ login: 'sup-a', password: GOOD_PASSWORD, totp: totpCode(sup.totp_secret, Date.now() - 30000) }), 401, 'invalid_totp');
});

test('failed logins are limited per account: the 6th attempt within 15 minutes is 429 with Retry-After, even with the right password', async () => {
  addUser(srv, { login: 'op-d', role: 'operator' });
  for (let i = 0; i < 5; i++) assertError(await login({ login: 'op-d', password: 'wrong-password-' + i }), 401, 'invalid_credentials');
  const res = await login({ login: 'op-d', password: GOOD_PASSWORD });
  assertError(res, 429, 'too_many_attempts');
  const retry = Number(res.headers.get('retry-after'));
  assert.ok(retry > 800 && retry <= 901, `Retry-After ${retry}`);
  // another account from the same address still signs in (the address limit is 20)
  addUser(srv, { login: 'op-e', role: 'operator' });
  assert.equal((await login({ login: 'op-e', password: GOOD_PASSWORD })).status, 200);
});

test('failed logins are limited per client address: 20 failures over any accounts, then 429', async () => {
  const srv2 = await start();
  try {
    for (let i = 0; i < 20; i++) {
      const r = await call(srv2.url, 'POST', '/api/v1/auth/login', { json: { login: `ghost${i}`, password: 'wrong-password-x' } });
      assert.equal(r.status, 401);
    }
    const r = await call(srv2.url, 'POST', '/api/v1/auth/login', { json: { login: 'ghost-last', password: 'wrong-password-x' } });
    assertError(r, 429, 'too_many_attempts');
  } finally { await srv2.stop(); }
});

test('a session ends after 30 idle minutes and after 12 hours in all', async () => {
  addUser(srv, { login: 'op-f', role: 'operator' });
  const idle = await signIn(srv, { login: 'op-f' });
  const now = Date.now();
  const hash = (await srv.sql('SELECT token_hash FROM sessions ORDER BY id DESC LIMIT 1')).trim();
  await srv.sql(`UPDATE sessions SET last_seen_at = ${now - 31 * 60000} WHERE token_hash = '${hash}'`);
  assertError(await idle.call('GET', '/api/v1/auth/me'), 401, 'auth_required');
  assert.equal((await srv.sql(`SELECT count(*) FROM sessions WHERE token_hash = '${hash}'`)).trim(), '0');
  const old = await signIn(srv, { login: 'op-f' });
  const hash2 = (await srv.sql('SELECT token_hash FROM sessions ORDER BY id DESC LIMIT 1')).trim();
  await srv.sql(`UPDATE sessions SET created_at = ${now - 12 * 3600000 - 1000}, last_seen_at = ${now} WHERE token_hash = '${hash2}'`);
  assertError(await old.call('GET', '/api/v1/auth/me'), 401, 'auth_required');
});

test('users API: admins list, create (TOTP URI once for supervisors), change and deactivate; others are refused', async () => {
  const adm = addUser(srv, { login: 'adm-a', role: 'admin' });
  const admin = await signIn(srv, adm);
  const list = await admin.call('GET', '/api/v1/users');
  assert.equal(list.status, 200);
  assertSchema('UserList', list.body);
  assert.ok(list.body.users.some((u) => u.login === 'adm-a' && u.totp === true));
  assert.ok(!list.text.includes('argon2'), 'no password hashes in the answer');
  const created = await admin.call('POST', '/api/v1/users', { json: { login: 'sup-new', name: 'Світлана Контроль', role: 'supervisor', password: 'Zhovti-Vody-Kontrol-55' } });
  assert.equal(created.status, 201, created.text);
  assertSchema('UserAnswer', created.body);
  assert.match(created.body.totp_uri, /^otpauth:\/\/totp\/Kontakt:sup-new\?secret=[A-Z2-7]{32}&issuer=Kontakt/);
  const sup = await signIn(srv, { login: 'sup-new', password: 'Zhovti-Vody-Kontrol-55', totp_secret: created.body.totp_secret });
  assert.equal(sup.user.role, 'supervisor');
  assertError(await admin.call('POST', '/api/v1/users', { json: { login: 'sup-new', name: 'X', role: 'operator', password: 'Zhovti-Vody-Kontrol-56' } }), 409, 'login_taken');
  const weak = await admin.call('POST', '/api/v1/users', { json: { login: 'op-weak', name: 'X', role: 'operator', password: 'Password1234' } });
  assertFieldError(weak, 'password', ['password_common']);
  const short = await admin.call('POST', '/api/v1/users', { json: { login: 'op-weak', name: 'X', role: 'operator', password: 'short-1' } });
  assertFieldError(short, 'password', ['password_too_short']);
  const noOrg = await admin.call('POST', '/api/v1/users', { json: { login: 'ex-x', name: 'X', role: 'executor', password: 'Zhovti-Vody-Kontrol-57' } });
  assertFieldError(noOrg, 'organisation', ['organisation_required']);
  const badOrg = await admin.call('POST', '/api/v1/users', { json: { login: 'ex-x', name: 'X', role: 'executor', organisation: 'nope', password: 'Zhovti-Vody-Kontrol-57' } });
  assertFieldError(badOrg, 'organisation', ['unknown_organisation']);
  const badLogin = await admin.call('POST', '/api/v1/users', { json: { login: 'Bad Login', name: 'X', role: 'operator', password: 'Zhovti-Vody-Kontrol-57' } });
  assertFieldError(badLogin, 'login', ['invalid_login']);
  assert.equal((await srv.sql("SELECT count(*) FROM users WHERE login IN ('op-weak', 'ex-x')")).trim(), '0');
  // a plain change (no password, role or deactivation) keeps the sessions
  const renamed = await admin.call('POST', '/api/v1/users/sup-new', { json: { name: 'Світлана К.' } });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.body.user.name, 'Світлана К.');
  assert.equal((await sup.call('GET', '/api/v1/auth/me')).status, 200);
  // deactivation ends the person's sessions at once
  const off = await admin.call('POST', '/api/v1/users/sup-new', { json: { active: false } });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.body.user.active, false);
  assertError(await sup.call('GET', '/api/v1/auth/me'), 401, 'auth_required');
  assertError(await login({ login: 'sup-new', password: 'Zhovti-Vody-Kontrol-55', totp: totpCode(created.body.totp_secret) }), 401, 'invalid_credentials');
  assertError(await admin.call('POST', '/api/v1/users/nobody', { json: { active: false } }), 404, 'user_not_found');
  // names: 60 characters at most (any script; stored whole, never cut inside a letter)
  const long = await admin.call('POST', '/api/v1/users', { json: { login: 'op-long', name: 'Я'.repeat(61), role: 'operator', password: 'Zhovti-Vody-Kontrol-59' } });
  assertFieldError(long, 'name', ['too_long']);
  const emoji = await admin.call('POST', '/api/v1/users', { json: { login: 'op-emoji', name: '🙂'.repeat(60), role: 'operator', password: 'Zhovti-Vody-Kontrol-59' } });
  assert.equal(emoji.status, 201, emoji.text);
  assert.equal(emoji.body.user.name, '🙂'.repeat(60));
  // an operator promoted to supervisor gets a second factor at once (answered once)
  const promoted = await admin.call('POST', '/api/v1/users/op-emoji', { json: { role: 'supervisor' } });
  assert.equal(promoted.status, 200, promoted.text);
  assert.match(promoted.body.totp_uri, /^otpauth:\/\/totp\/Kontakt:op-emoji\?secret=/);
  const sup2 = await signIn(srv, { login: 'op-emoji', password: 'Zhovti-Vody-Kontrol-59', totp_secret: promoted.body.totp_secret });
  // a new second factor ends the sessions made with the old one
  const reset = await admin.call('POST', '/api/v1/users/op-emoji', { json: { reset_totp: true } });
  assert.equal(reset.status, 200);
  assertError(await sup2.call('GET', '/api/v1/auth/me'), 401, 'auth_required');
  // every other role is refused
  addUser(srv, { login: 'op-g', role: 'operator' });
  const op = await signIn(srv, { login: 'op-g' });
  assertError(await op.call('GET', '/api/v1/users'), 403, 'forbidden');
  assertError(await op.call('POST', '/api/v1/users', { json: { login: 'x1x', name: 'X', role: 'admin', password: 'Zhovti-Vody-Kontrol-58' } }), 403, 'forbidden');
  assertError(await call(srv.url, 'GET', '/api/v1/users'), 401, 'auth_required');
});

test('signed-in hotline staff are exempt from the per-address limit on new appeals; residents are not', async () => {
  addUser(srv, { login: 'op-h', role: 'operator' });
  const op = await signIn(srv, { login: 'op-h' });
  for (let i = 0; i < 6; i++) {
    const r = await op.call('POST', '/api/v1/appeals', { json: validAppeal({ channel: 'phone' }) });
    assert.equal(r.status, 201, r.text);
  }
  let last;
  for (let i = 0; i < 6; i++) last = await call(srv.url, 'POST', '/api/v1/appeals', { json: validAppeal() });
  assertError(last, 429, 'too_many_requests');
});

test('behind the trusted proxy the client is the last X-Forwarded-For line: a forged first line does not dodge the limit', async () => {
  const srv4 = await start({ env: { KONTAKT_TRUSTED_PROXY: '127.0.0.1' } });
  try {
    const body = JSON.stringify({ login: 'ghost', password: 'wrong-password-x' });
    let last;
    for (let i = 0; i < 21; i++) {
      last = await rawRequest(srv4.port, `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
        `X-Forwarded-For: 198.51.100.${i}\r\nX-Forwarded-For: 203.0.113.7\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
    assert.equal(last.status, 429, last.raw.slice(0, 300));
  } finally { await srv4.stop(); }
});

test('behind the trusted proxy with X-Forwarded-Proto: https the cookie is Secure', async () => {
  const srv3 = await start({ env: { KONTAKT_TRUSTED_PROXY: '127.0.0.1' } });
  try {
    addUser(srv3, { login: 'op-tls', role: 'operator' });
    const r = await call(srv3.url, 'POST', '/api/v1/auth/login', {
      json: { login: 'op-tls', password: GOOD_PASSWORD }, headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.9' },
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie'), /; Secure$/);
  } finally { await srv3.stop(); }
});
