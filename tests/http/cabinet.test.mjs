// The residents' sign-in by one-time code and the cabinet API
// (docs/RESIDENTS.md): the edges of the code (wrong, burnt, reused,
// limited, SMS not configured), CSRF on every POST under /api/v1/me, only
// one's own appeals, operator calls in the cabinet, joining a phone and an
// email, the export and closing the account. Codes come through
// tests/lib/codes.mjs only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, call, assertError, assertSchema } from './helpers.mjs';
import { validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';
import { lastCode, withDelivery } from '../lib/codes.mjs';

let srv;    // no SMS gateway: codes by email only
let sms;    // an SMS gateway (the TurboSMS receiver of tests/lib/sms.mjs)
let operator;
before(async () => {
  srv = await withDelivery(start, { sms: false });
  sms = await withDelivery(start);
  operator = await signIn(sms, addUser(sms, { login: 'op-cabinet', role: 'operator' }));
});
after(async () => {
  await srv?.stop();
  await sms?.stop();
});

// Every test comes from 127.0.0.1: forget the per-address counts between
// tests (the per-address limits are not what these tests are about).
async function forgetAddress(s) {
  await s.sql("DELETE FROM login_failures WHERE scope IN ('code_addr', 'verify_addr')");
}

const kindOf = (contact) => (contact.includes('@') ? 'email' : 'phone');

async function askCode(s, contact, headers = {}) {
  return call(s.url, 'POST', '/api/v1/auth/code', { json: { [kindOf(contact)]: contact }, headers });
}

async function verify(s, contact, code, headers = {}) {
  return call(s.url, 'POST', '/api/v1/auth/code/verify', { json: { [kindOf(contact)]: contact, code }, headers });
}

// A resident session: {cookie, csrf, resident, call(method, path, opts)}.
function session(s, res) {
  const cookie = res.headers.get('set-cookie').split(';')[0];
  assert.match(cookie, /^kontakt_resident=[A-Za-z0-9_-]+$/);
  const me = {
    cookie, csrf: res.body.csrf_token, resident: res.body.resident,
    call(method, path, opts = {}) {
      const headers = { Cookie: cookie, ...(opts.headers || {}) };
      if (method === 'POST' && opts.csrf !== false) headers['X-CSRF-Token'] = me.csrf;
      return call(s.url, method, path, { ...opts, headers });
    },
  };
  return me;
}

async function signInResident(s, contact, headers = {}) {
  await forgetAddress(s);
  const sent = await askCode(s, contact, headers);
  assert.equal(sent.status, 202, sent.text);
  const res = await verify(s, contact, await lastCode(s, contact), headers);
  assert.equal(res.status, 200, res.text);
  return session(s, res);
}

async function file(s, over) {
  const r = await call(s.url, 'POST', '/api/v1/appeals', { json: validAppeal(over) });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// Lets the next code to the same contact go out at once (one a minute otherwise).
const ageCodes = (s) => s.sql('UPDATE login_codes SET created_at = created_at - 61000');

test('a code goes out by email; sign-in gives the session, the cookie and the CSRF token', async () => {
  await forgetAddress(srv);
  const sent = await askCode(srv, 'Anna.Code@Example.com');
  assert.equal(sent.status, 202, sent.text);
  assertSchema('CodeSent', sent.body);
  assert.equal(sent.body.channel, 'email');
  assert.equal(sent.body.sent_to, 'a•••@example.com');
  assert.equal(sent.body.retry_after_s, 60);
  const code = await lastCode(srv, 'anna.code@example.com');
  const res = await verify(srv, 'anna.code@example.com', code);
  assert.equal(res.status, 200, res.text);
  assertSchema('ResidentSession', res.body);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  const me = session(srv, res);
  const got = await me.call('GET', '/api/v1/me');
  assert.equal(got.status, 200);
  assertSchema('ResidentSession', got.body);
  assert.equal(got.body.resident.email, 'anna.code@example.com');
  assert.equal(got.body.resident.phone, null);
  assertError(await call(srv.url, 'GET', '/api/v1/me'), 401, 'auth_required');
  // signing out ends the session
  assert.equal((await me.call('POST', '/api/v1/me/logout')).status, 204);
  assertError(await me.call('GET', '/api/v1/me'), 401, 'auth_required');
});

test('a wrong code tells the attempts left; the fifth burns it; a used code is refused', async () => {
  await forgetAddress(srv);
  const who = 'wrong.code@example.com';
  assert.equal((await askCode(srv, who)).status, 202);
  const code = await lastCode(srv, who);
  const wrong = code === '000000' ? '111111' : '000000';
  for (let left = 4; left >= 0; left--) {
    const e = assertError(await verify(srv, who, wrong), 401, 'code_invalid');
    assert.equal(e.fields.code.code, 'code_invalid');
    assert.match(e.fields.code.message, new RegExp(`\\(${left}\\)`));
  }
  // burnt: even the right code is refused now
  assertError(await verify(srv, who, code), 401, 'code_expired');
  // a new code works once, and only once
  await ageCodes(srv);
  assert.equal((await askCode(srv, who)).status, 202);
  const fresh = await lastCode(srv, who);
  assert.notEqual(fresh, null);
  assert.equal((await verify(srv, who, fresh)).status, 200);
  assertError(await verify(srv, who, fresh), 401, 'code_expired');
  // not 6 digits: a field error
  const bad = assertError(await verify(srv, who, '12ab'), 422, 'validation_failed');
  assert.ok(bad.fields.code);
});

test('one code a minute and five an hour per contact: 429 too_many_codes with Retry-After', async () => {
  await forgetAddress(srv);
  const who = 'limits@example.com';
  assert.equal((await askCode(srv, who)).status, 202);
  const again = await askCode(srv, who);
  assertError(again, 429, 'too_many_codes');
  const wait = Number(again.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 60, `Retry-After ${wait}`);
  // four more in the hour (each a minute "later"), then the hour's limit
  for (let i = 0; i < 4; i++) {
    await ageCodes(srv);
    assert.equal((await askCode(srv, who)).status, 202);
  }
  await ageCodes(srv);
  const sixth = await askCode(srv, who);
  assertError(sixth, 429, 'too_many_codes');
  assert.ok(Number(sixth.headers.get('retry-after')) > 60);
  // another contact is not affected
  assert.equal((await askCode(srv, 'other.limits@example.com')).status, 202);
});

test('a phone without an SMS gateway: 503 channel_unavailable, nothing queued', async () => {
  await forgetAddress(srv);
  const r = await askCode(srv, '067 555 44 33');
  const e = assertError(r, 503, 'channel_unavailable');
  assert.equal(e.fields.phone.code, 'channel_unavailable');
  assert.equal(await srv.sql("SELECT COUNT(*) FROM outbox WHERE recipient = '+380675554433'"), '0'); // nothing queued
  // a wrong phone or both contacts: field errors
  assert.ok(assertError(await call(srv.url, 'POST', '/api/v1/auth/code', { json: { phone: '12' } }), 422, 'validation_failed').fields.phone);
  assertError(await call(srv.url, 'POST', '/api/v1/auth/code', { json: { phone: '0675554433', email: 'a@example.com' } }), 422, 'validation_failed');
  assertError(await call(srv.url, 'POST', '/api/v1/auth/code', { json: {} }), 422, 'validation_failed');
});

test('every POST under /api/v1/me needs the X-CSRF-Token', async () => {
  const own = await file(srv, { applicant: { name: 'Ігор', phone: '050 300 00 01', email: 'csrf@example.com' } });
  const me = await signInResident(srv, 'csrf@example.com');
  const posts = [
    ['/api/v1/me/logout', undefined],
    [`/api/v1/me/appeals/${own.number}/actions`, { action: 'comment', comment: 'Без токена' }],
    [`/api/v1/me/appeals/${own.number}/photos`, undefined],
    ['/api/v1/me/subscriptions', { number: own.number }],
    [`/api/v1/me/subscriptions/${own.number}/delete`, undefined],
    ['/api/v1/me/preferences', { notify: 'none' }],
    ['/api/v1/me/close', { confirm: true }],
  ];
  for (const [path, json] of posts) {
    const r = await me.call('POST', path, { json, csrf: false });
    if (r.status === 404 && path.endsWith('/photos')) continue; // lands with the photos branch
    assertError(r, 403, 'csrf_failed');
    assertError(await me.call('POST', path, { json, csrf: false, headers: { 'X-CSRF-Token': 'f'.repeat(64) } }), 403, 'csrf_failed');
  }
  // nothing happened: still signed in, the preference unchanged, no comment
  const still = await me.call('GET', '/api/v1/me');
  assert.equal(still.status, 200);
  assert.equal(still.body.resident.notify, 'auto');
  const view = await me.call('GET', `/api/v1/me/appeals/${own.number}`);
  assert.ok(!view.body.timeline.some((e) => e.kind === 'commented'));
  // and with the token it works
  const ok = await me.call('POST', `/api/v1/me/appeals/${own.number}/actions`, { json: { action: 'comment', comment: 'З токеном' } });
  assert.equal(ok.status, 200, ok.text);
  assertSchema('CabinetAppeal', ok.body);
  assert.ok(ok.body.timeline.some((e) => e.kind === 'commented'));
  // the comment's words reach staff only
  assert.ok(!JSON.stringify(ok.body.timeline).includes('З токеном'));
});

test('someone else\'s appeal is not in the cabinet: 404 to read and to act', async () => {
  const mine = await file(srv, { applicant: { name: 'Марта', phone: '050 400 00 01', email: 'marta@example.com' } });
  const theirs = await file(srv, { applicant: { name: 'Назар', phone: '050 400 00 02', email: 'nazar@example.com' } });
  const me = await signInResident(srv, 'marta@example.com');
  const list = await me.call('GET', '/api/v1/me/appeals');
  assert.equal(list.status, 200);
  assertSchema('CabinetList', list.body);
  assert.deepEqual(list.body.appeals.map((a) => a.number), [mine.number]);
  assert.deepEqual(list.body.appeals[0].allowed_actions, ['comment', 'photo']);
  assertError(await me.call('GET', `/api/v1/me/appeals/${theirs.number}`), 404, 'appeal_not_found');
  assertError(await me.call('POST', `/api/v1/me/appeals/${theirs.number}/actions`, { json: { action: 'comment', comment: 'Чуже' } }), 404, 'appeal_not_found');
  assertError(await me.call('GET', '/api/v1/me/appeals/2026-999999'), 404, 'appeal_not_found');
  // confirming what is not done yet: not allowed
  assertError(await me.call('POST', `/api/v1/me/appeals/${mine.number}/actions`, { json: { action: 'confirm' } }), 409, 'action_not_allowed');
  // "me too" on theirs: 201, then 200; listed without their words or address
  const sub = await me.call('POST', '/api/v1/me/subscriptions', { json: { number: theirs.number } });
  assert.equal(sub.status, 201, sub.text);
  assertSchema('ResidentSubscribed', sub.body);
  assert.equal((await me.call('POST', '/api/v1/me/subscriptions', { json: { number: theirs.number } })).status, 200);
  const after = await me.call('GET', '/api/v1/me/appeals');
  assert.deepEqual(after.body.subscriptions.map((a) => a.number), [theirs.number]);
  assert.equal(after.body.subscriptions[0].address, null);
  assert.ok(!JSON.stringify(after.body.subscriptions).includes('nazar'));
  assertError(await me.call('POST', '/api/v1/me/subscriptions', { json: { number: '2026-999999' } }), 404, 'appeal_not_found');
  assert.equal((await me.call('POST', `/api/v1/me/subscriptions/${theirs.number}/delete`)).status, 204);
  assertError(await me.call('POST', `/api/v1/me/subscriptions/${theirs.number}/delete`), 404, 'appeal_not_found');
});

test('an operator\'s phone call is in the cabinet of that phone; phone and email join one account', async () => {
  const phone = '+380679990011';
  const called = await operator.call('POST', '/api/v1/appeals', {
    json: validAppeal({ channel: 'phone', description: 'Дзвінок на гарячу лінію: тече дах', applicant: { name: 'Василь', phone } }),
  });
  assert.equal(called.status, 201, called.text);
  const web = await file(sms, { applicant: { name: 'Василь', phone: '050 500 00 01', email: 'vasyl@example.com' } });
  const sent = await (async () => { await forgetAddress(sms); return askCode(sms, '067 999 00 11'); })();
  assert.equal(sent.status, 202, sent.text);
  assert.equal(sent.body.channel, 'sms');
  assert.equal(sent.body.sent_to, '+38067•••••11');
  const res = await verify(sms, phone, await lastCode(sms, phone));
  assert.equal(res.status, 200, res.text);
  const me = session(sms, res);
  let list = await me.call('GET', '/api/v1/me/appeals');
  assert.deepEqual(list.body.appeals.map((a) => a.number), [called.body.number]);
  assert.equal(list.body.appeals[0].address, validAppeal().location.address);

  // adding the email while signed in: the same account, both appeals
  await forgetAddress(sms);
  assert.equal((await askCode(sms, 'vasyl@example.com')).status, 202);
  const joined = await verify(sms, 'vasyl@example.com', await lastCode(sms, 'vasyl@example.com'),
    { Cookie: me.cookie, 'X-CSRF-Token': me.csrf });
  assert.equal(joined.status, 200, joined.text);
  assert.equal(joined.body.resident.phone, phone);
  assert.equal(joined.body.resident.email, 'vasyl@example.com');
  const both = session(sms, joined);
  list = await both.call('GET', '/api/v1/me/appeals');
  assert.deepEqual(list.body.appeals.map((a) => a.number), [web.number, called.body.number], 'newest first');
  assert.equal(Number(await sms.sql('SELECT count(*) FROM residents')), 1);
  // preferences: sms now possible; a contact the account lacks is refused elsewhere
  const prefs = await both.call('POST', '/api/v1/me/preferences', { json: { notify: 'sms', lang: 'en' } });
  assert.equal(prefs.status, 200, prefs.text);
  assert.deepEqual(prefs.body, { notify: 'sms', lang: 'en' });
  assertError(await both.call('POST', '/api/v1/me/preferences', { json: { notify: 'pigeon' } }), 422, 'validation_failed');

  // a contact of another account: 409 contact_taken, and the code is not used up
  const other = await signInResident(sms, 'someone.else@example.com');
  assert.equal((await other.call('POST', '/api/v1/me/preferences', { json: { notify: 'sms' } })).status, 422); // no phone
  await forgetAddress(sms);
  await ageCodes(sms);
  assert.equal((await askCode(sms, 'vasyl@example.com')).status, 202);
  const code = await lastCode(sms, 'vasyl@example.com');
  assertError(await verify(sms, 'vasyl@example.com', code, { Cookie: other.cookie, 'X-CSRF-Token': other.csrf }), 409, 'contact_taken');
  // signed out, the same code opens Vasyl's own account
  const own = await verify(sms, 'vasyl@example.com', code);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.body.resident.phone, phone);
});

test('the export holds the account, its appeals and subscriptions, as an attachment', async () => {
  const a = await file(srv, { applicant: { name: 'Ольга Експорт', phone: '050 600 00 01', email: 'export@example.com' } });
  const b = await file(srv, { applicant: { name: 'Хтось', phone: '050 600 00 02', email: 'someone@example.com' } });
  const me = await signInResident(srv, 'export@example.com');
  assert.equal((await me.call('POST', '/api/v1/me/subscriptions', { json: { number: b.number } })).status, 201);
  const r = await me.call('GET', '/api/v1/me/export');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="kontakt-my-data\.json"$/);
  assert.match(r.headers.get('cache-control'), /no-store/);
  assertSchema('ResidentExport', r.body);
  assert.equal(r.body.resident.email, 'export@example.com');
  assert.deepEqual(r.body.appeals.map((x) => x.number), [a.number]);
  assert.equal(r.body.appeals[0].applicant.name, 'Ольга Експорт');
  assert.equal(r.body.appeals[0].channel, 'web');
  assert.deepEqual(r.body.subscriptions, [b.number]);
  assert.deepEqual(r.body.consultations, []);
  assertError(await call(srv.url, 'GET', '/api/v1/me/export'), 401, 'auth_required');
});

test('closing the account anonymises its appeals and subscriptions and ends the session', async () => {
  const a = await file(srv, { applicant: { name: 'Зоя Закрита', phone: '050 700 00 01', email: 'close@example.com' } });
  const other = await file(srv, { applicant: { name: 'Інший', phone: '050 700 00 02', email: 'other.close@example.com' } });
  const me = await signInResident(srv, 'close@example.com');
  assert.equal((await me.call('POST', '/api/v1/me/subscriptions', { json: { number: other.number } })).status, 201);
  // an anonymous "me too" with the same address in capitals is the same person
  const third = await file(srv, { applicant: { name: 'Третій', phone: '050 700 00 03', email: 'third.close@example.com' } });
  const pub = await call(srv.url, 'POST', `/api/v1/appeals/${third.number}/subscriptions`, { json: { phone: '050 700 00 09', email: 'Close@Example.COM' } });
  assert.equal(pub.status, 201, pub.text);
  assert.ok(Number(await srv.sql("SELECT count(*) FROM outbox WHERE recipient = 'close@example.com'")) > 0);
  // a real confirmation is needed
  assertError(await me.call('POST', '/api/v1/me/close', { json: { confirm: false } }), 422, 'validation_failed');
  assertError(await me.call('POST', '/api/v1/me/close', { json: {} }), 422, 'validation_failed');
  const r = await me.call('POST', '/api/v1/me/close', { json: { confirm: true } });
  assert.equal(r.status, 204, r.text);
  assert.match(r.headers.get('set-cookie'), /kontakt_resident=;.*Max-Age=0/);
  assertError(await me.call('GET', '/api/v1/me'), 401, 'auth_required');
  const row = await srv.sql(`SELECT applicant_name, applicant_phone, coalesce(applicant_email, '') FROM appeals WHERE number = '${a.number}'`);
  assert.equal(row, '||');
  assert.equal(await srv.sql(`SELECT count(*) FROM subscriptions WHERE lower(email) = 'close@example.com'`), '0');
  // no message to the address is kept, sent or not
  assert.equal(await srv.sql("SELECT count(*) FROM outbox WHERE recipient = 'close@example.com'"), '0');
  assert.equal(await srv.sql(`SELECT count(*) FROM residents WHERE email = 'close@example.com'`), '0');
  // the appeal itself stays for the city's records
  assert.equal((await call(srv.url, 'GET', `/api/v1/appeals/${a.number}`)).status, 200);
  // the other applicant's appeal is untouched
  assert.equal(await srv.sql(`SELECT applicant_email FROM appeals WHERE number = '${other.number}'`), 'other.close@example.com');
  // signing in again opens a new, empty account
  await ageCodes(srv);
  const again = await signInResident(srv, 'close@example.com');
  const list = await again.call('GET', '/api/v1/me/appeals');
  assert.deepEqual(list.body, { appeals: [], subscriptions: [] });
});
