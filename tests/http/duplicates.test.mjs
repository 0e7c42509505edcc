// Duplicates at intake: open appeals of the same category nearby and
// recent; "me too" subscriptions that follow an appeal without seeing the
// applicant's own words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, validAppeal } from '../lib/server.mjs';

let srv, first;
const post = (path, body) => fetch(`${srv.url}${path}`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});
const get = async (path, headers = {}) => {
  const res = await fetch(`${srv.url}${path}`, { headers });
  return { status: res.status, body: await res.json() };
};

before(async () => {
  srv = await startServer();
  const res = await post('/api/v1/appeals', validAppeal({ location: { lat: 48.4600, lon: 35.0400 } }));
  first = await res.json();
  assert.equal(res.status, 201);
});
after(async () => { await srv.stop(); });

test('an open appeal of the same category within the radius is offered, with its distance', async () => {
  const r = await get('/api/v1/duplicates?category=water_supply&lat=48.4610&lon=35.0410');
  assert.equal(r.status, 200);
  assert.equal(r.body.radius_m, 300); // water_supply's radius in data/categories.json
  assert.equal(r.body.days, 7);
  assert.equal(r.body.appeals.length, 1);
  const a = r.body.appeals[0];
  assert.equal(a.number, first.number);
  assert.equal(a.status, 'assigned');
  assert.equal(a.type.code, 'no_water');
  assert.ok(a.distance_m > 100 && a.distance_m < 150, String(a.distance_m));
  // public data only
  const text = JSON.stringify(r.body);
  for (const secret of ['Олена', '067', 'olena@', 'Яворницького', 'восьмої']) assert.ok(!text.includes(secret), secret);
});

test('farther than the radius, another category, or closed: not offered', async () => {
  assert.equal((await get('/api/v1/duplicates?category=water_supply&lat=48.4700&lon=35.0400')).body.appeals.length, 0);
  assert.equal((await get('/api/v1/duplicates?category=sewerage&lat=48.4600&lon=35.0400')).body.appeals.length, 0);
  srv.db.query(`UPDATE appeals SET status = 'closed' WHERE number = '${first.number}'`);
  try {
    assert.equal((await get('/api/v1/duplicates?category=water_supply&lat=48.4600&lon=35.0400')).body.appeals.length, 0);
  } finally {
    srv.db.query(`UPDATE appeals SET status = 'registered' WHERE number = '${first.number}'`);
  }
});

test('older than the window: not offered', async () => {
  const old = Date.now() - 8 * 86400000;
  srv.db.query(`UPDATE appeals SET created_at = ${old} WHERE number = '${first.number}'`);
  try {
    assert.equal((await get('/api/v1/duplicates?category=water_supply&lat=48.4600&lon=35.0400')).body.appeals.length, 0);
  } finally {
    srv.db.query(`UPDATE appeals SET created_at = ${Date.now() - 1000} WHERE number = '${first.number}'`);
  }
});

test('bad parameters → 400 invalid_query with a field error for each', async () => {
  const r = await get('/api/v1/duplicates?category=nope&lat=abc');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_query');
  assert.equal(r.body.error.fields.category.code, 'unknown_category');
  assert.equal(r.body.error.fields.lat.code, 'wrong_type');
  assert.equal(r.body.error.fields.lon.code, 'required');
  const out = await get('/api/v1/duplicates?category=water_supply&lat=50.45&lon=30.52', { 'Accept-Language': 'en' });
  assert.equal(out.body.error.fields.lat.code, 'out_of_bounds');
  assert.match(out.body.error.fields.lat.message, /Latitude/);
});

test('"me too": a subscription follows the appeal with its own private link, without the applicant\'s words', async () => {
  const before = srv.db.query('SELECT COUNT(*) FROM appeals');
  const res = await post(`/api/v1/appeals/${first.number}/subscriptions`, { phone: '050 123 45 67', email: 'me@example.com' });
  assert.equal(res.status, 201);
  const s = await res.json();
  assert.equal(s.number, first.number);
  assert.match(s.tracking_token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(s.tracking_token, first.tracking_token);
  assert.equal(srv.db.query('SELECT COUNT(*) FROM appeals'), before); // no new appeal
  assert.equal(srv.db.query(`SELECT phone FROM subscriptions WHERE tracking_hash <> '${s.tracking_token}'`), '+380501234567');
  const t = await get(`/api/v1/track/${s.tracking_token}`);
  assert.equal(t.status, 200);
  assert.equal(t.body.number, first.number);
  assert.equal(t.body.subscriber, true);
  assert.equal(t.body.description, undefined);
  assert.ok(t.body.timeline.length >= 1);
  assert.ok(!JSON.stringify(t.body).includes('восьмої'));
  const own = await get(`/api/v1/track/${first.tracking_token}`);
  assert.equal(own.body.subscriber, false);
  assert.ok(own.body.description.includes('восьмої'));
});

test('subscription refusals: bad phone, unknown or malformed number, bad JSON — nothing stored', async () => {
  const count = () => srv.db.query('SELECT COUNT(*) FROM subscriptions');
  const n = count();
  let r = await post(`/api/v1/appeals/${first.number}/subscriptions`, { phone: '12345' });
  assert.equal(r.status, 422);
  assert.equal((await r.json()).error.fields.phone.code, 'invalid_phone');
  r = await post(`/api/v1/appeals/${first.number}/subscriptions`, { phone: '0501234567', extra: 1 });
  assert.equal(r.status, 422);
  r = await post('/api/v1/appeals/2026-999999/subscriptions', { phone: '0501234567' });
  assert.equal(r.status, 404);
  assert.equal((await r.json()).error.code, 'appeal_not_found');
  r = await post('/api/v1/appeals/abc/subscriptions', { phone: '0501234567' });
  assert.equal(r.status, 400);
  r = await fetch(`${srv.url}/api/v1/appeals/${first.number}/subscriptions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"phone":',
  });
  assert.equal(r.status, 400);
  assert.equal(count(), n);
});
