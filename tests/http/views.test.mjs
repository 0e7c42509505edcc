// The read views: GET /api/v1/appeals/{number} (public, no personal data)
// and GET /api/v1/track/{token} (the applicant's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { validAppeal } from '../lib/server.mjs';
import { start, call, post, assertError, assertSchema, instantMs } from './helpers.mjs';

let srv;
let created;
const secret = {
  description: 'Тече труба у підвалі, квартира 17, дзвоніть Марії Приватній-Особі',
  address: 'вул. Секретна Тестова, 77, кв. 17',
  name: 'Марія Приватна-Особа',
  phone: '+380 93 765 43 21',
  phoneE164: '+380937654321',
  email: 'maria.private@example.org',
};

before(async () => {
  srv = await start();
  const res = await post(srv.url, validAppeal({
    description: secret.description,
    location: { lat: 48.464712, lon: 35.046289, address: secret.address },
    applicant: { name: secret.name, phone: secret.phone, email: secret.email },
  }));
  assert.equal(res.status, 201, res.text);
  created = res.body;
});
after(async () => { await srv?.stop(); });

test('public view: the appeal without personal data, coordinates to 4 decimals', async () => {
  const res = await call(srv.url, 'GET', `/api/v1/appeals/${created.number}`);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const v = res.body;
  assertSchema('AppealPublic', v);
  assert.equal(v.number, created.number);
  assert.equal(v.status, 'assigned');
  assert.deepEqual(v.category, created.category);
  assert.deepEqual(v.type, created.type);
  assert.deepEqual(v.organisation, created.organisation);
  assert.equal(v.priority, created.priority);
  assert.equal(v.created_at, created.created_at);
  assert.equal(v.reaction_due_at, created.reaction_due_at);
  assert.equal(v.resolution_due_at, created.resolution_due_at);
  assert.ok(instantMs(v.updated_at) >= instantMs(v.created_at));
  assert.equal(v.overdue, false);
  assert.deepEqual(v.location, { lat: 48.4647, lon: 35.0463 });

  const raw = res.text;
  for (const [what, value] of Object.entries({ ...secret, token: created.tracking_token,
    phoneDigits: '937654321', emailLocal: 'maria.private', street: 'Секретна' })) {
    assert.ok(!raw.includes(value), `public view leaks ${what}: ${raw}`);
  }
  for (const key of ['description', 'address', 'applicant', 'name', 'phone', 'email', 'tracking_token', 'timeline']) {
    assert.ok(!raw.includes(`"${key}"`), `public view has a "${key}" key: ${raw}`);
  }
});

test('public view: unknown number → 404 appeal_not_found; malformed → 400 invalid_number', async () => {
  const year = created.number.slice(0, 4);
  for (const n of [`${year}-999999`, `${year}-000999`, `${Number(year) + 1}-000001`]) {
    assertError(await call(srv.url, 'GET', `/api/v1/appeals/${n}`), 404, 'appeal_not_found');
  }
  for (const n of ['abc', `${year}-12345`, `${year}-0123456`, `${year}-1234567890`, `${year}_000001`, `${year}-00000a`, `${year}000001`,
    `${year.slice(2)}-000001`, `${year}-000001x`, '%D0%96']) {
    assertError(await call(srv.url, 'GET', `/api/v1/appeals/${n}`), 400, 'invalid_number');
  }
});

test('the not-found messages follow the language', async () => {
  const uk = await call(srv.url, 'GET', '/api/v1/appeals/2026-999999');
  const en = await call(srv.url, 'GET', '/api/v1/appeals/2026-999999', { headers: { 'Accept-Language': 'en-GB,en;q=0.8' } });
  assert.equal(uk.headers.get('content-language'), 'uk');
  assert.equal(en.headers.get('content-language'), 'en');
  assert.match(uk.body.error.message, /[\u0400-\u04FF]/);
  assert.doesNotMatch(en.body.error.message, /[\u0400-\u04FF]/);
});

test('tracking view: description, address, exact point, timeline with "registered"', async () => {
  const res = await call(srv.url, 'GET', `/api/v1/track/${created.tracking_token}`);
  assert.equal(res.status, 200, res.text);
  const v = res.body;
  assertSchema('AppealTracking', v);
  assert.equal(v.number, created.number);
  assert.equal(v.status, 'assigned');
  assert.equal(v.description, secret.description);
  assert.equal(v.location.address, secret.address);
  assert.equal(v.location.lat, 48.464712);
  assert.equal(v.location.lon, 35.046289);
  assert.equal(v.created_at, created.created_at);
  assert.equal(v.resolution_due_at, created.resolution_due_at);
  assert.equal(v.overdue, false);
  assert.ok(Array.isArray(v.timeline) && v.timeline.length >= 1, res.text);
  const reg = v.timeline[0];
  assert.equal(reg.kind, 'registered');
  assert.equal(reg.status, 'registered');
  assert.equal(reg.at, created.created_at);
  assert.ok('note' in reg);
  // routed at intake: the organisation has it at once (a public "assigned" event)
  assert.deepEqual(v.timeline.slice(1).map((e) => [e.kind, e.status]), [['assigned', 'assigned']]);
  // the contact data stays out of this view too
  for (const value of [secret.name, secret.phone, secret.phoneE164, secret.email]) {
    assert.ok(!res.text.includes(value), `tracking view shows ${value}`);
  }
});

test('tracking view: a wrong or malformed token → 404 tracking_not_found', async () => {
  const t = created.tracking_token;
  const flipped = t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
  for (const token of [flipped, randomBytes(32).toString('base64url'), 'abc', 'x'.repeat(100)]) {
    assertError(await call(srv.url, 'GET', `/api/v1/track/${token}`), 404, 'tracking_not_found');
  }
});

test('over-long path parameters get the endpoint\'s error, not the generic not_found', async () => {
  assertError(await call(srv.url, 'GET', `/api/v1/appeals/${'9'.repeat(300)}`), 400, 'invalid_number');
  assertError(await call(srv.url, 'GET', `/api/v1/track/${'x'.repeat(300)}`), 404, 'tracking_not_found');
});
