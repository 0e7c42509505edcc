// POST /api/v1/appeals, the happy path: numbers, deadlines, catalogue,
// what is stored (E.164 phone, hashed token), and parallel intake.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validAppeal } from '../lib/server.mjs';
import { start, call, post, assertSchema, instantMs, kyivYear } from './helpers.mjs';

let srv;
let catalogue;
before(async () => {
  srv = await start();
  catalogue = (await call(srv.url, 'GET', '/api/v1/categories')).body.categories;
});
after(async () => { await srv?.stop(); });

const HOUR = 3600 * 1000;
const sql = (s) => String(s).replace(/'/g, "''");
const row = (number, column) => srv.sql(`SELECT ${column} FROM appeals WHERE number = '${sql(number)}'`);

test('the first two appeals of a fresh database are YYYY-000001 and YYYY-000002', async () => {
  const t0 = Date.now();
  const a = await post(srv.url, validAppeal());
  const b = await post(srv.url, validAppeal());
  const t1 = Date.now();
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.match(a.body.number, /^\d{4}-\d{6}$/);
  const created = instantMs(a.body.created_at);
  assert.ok(created >= t0 - 2000 && created <= t1 + 2000, `created_at ${a.body.created_at} is not now`);
  const year = kyivYear(created);
  assert.equal(a.body.number, `${year}-000001`);
  assert.equal(b.body.number, `${year}-000002`);
  assert.notEqual(a.body.tracking_token, b.body.tracking_token);
});

test('201 answer: status, catalogue data, deadlines, token, Location', async () => {
  const res = await post(srv.url, validAppeal());
  assert.equal(res.status, 201, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const a = res.body;
  assertSchema('AppealCreated', a);
  assert.equal(a.status, 'assigned', 'routed to vodokanal at once: in the executor queue, not in triage');
  assert.equal(res.headers.get('location'), `/api/v1/appeals/${a.number}`);
  assert.equal(res.headers.get('idempotent-replayed'), null);

  const cat = catalogue.find((c) => c.code === 'water_supply');
  const type = cat.types.find((t) => t.code === 'no_water');
  assert.deepEqual(a.category, { code: cat.code, name_uk: cat.name_uk, name_en: cat.name_en });
  assert.deepEqual(a.type, { code: type.code, name_uk: type.name_uk, name_en: type.name_en });
  assert.equal(a.priority, type.priority);
  assert.equal(a.priority, 'emergency');
  assert.equal(a.organisation.code, cat.organisation.code);
  assert.equal(a.organisation.name_uk, cat.organisation.name_uk);

  const created = instantMs(a.created_at);
  assert.equal(instantMs(a.reaction_due_at) - created, 1 * HOUR, 'emergency reaction is 1 h');
  assert.equal(instantMs(a.resolution_due_at) - created, 24 * HOUR, 'no water is resolved in 24 h');

  assert.match(a.tracking_token, /^[A-Za-z0-9_-]{22,}$/);
  assert.equal(a.tracking_url, `/track.html#${a.tracking_token}`);
});

test('an urgent type takes its own deadlines from the catalogue', async () => {
  const cat = catalogue.find((c) => c.code === 'heating');
  const type = cat.types.find((t) => t.priority === 'urgent' && /^\d+h$/.test(t.reaction) && /^\d+[hd]$/.test(t.resolution));
  assert.ok(type, 'heating has an urgent type with hour/day rules');
  const res = await post(srv.url, validAppeal({ category: 'heating', type: type.code }));
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.priority, 'urgent');
  assert.equal(res.body.organisation.code, cat.organisation.code);
  const created = instantMs(res.body.created_at);
  assert.equal(instantMs(res.body.reaction_due_at) - created, parseInt(type.reaction, 10) * HOUR);
  const due = instantMs(res.body.resolution_due_at) - created;
  if (type.resolution.endsWith('h')) assert.equal(due, parseInt(type.resolution, 10) * HOUR);
  else {
    // calendar days in Kyiv time: within an hour of n * 24 h (DST change)
    assert.ok(Math.abs(due - parseInt(type.resolution, 10) * 24 * HOUR) <= HOUR, `resolution ${due} ms`);
  }
});

test('what is stored: status, channel, events, and the tracking token only as a hash', async () => {
  const res = await post(srv.url, validAppeal({ channel: 'mobile' }));
  assert.equal(res.status, 201, res.text);
  const { number, tracking_token: token } = res.body;
  assert.equal(await row(number, 'status'), 'assigned');
  assert.equal(await row(number, 'channel'), 'mobile');
  assert.equal(await row(number, 'category'), 'water_supply');
  assert.equal(await row(number, 'type'), 'no_water');
  assert.equal(await row(number, 'applicant_email'), 'olena@example.com');
  const hash = await row(number, 'tracking_hash');
  assert.ok(hash.length > 0);
  assert.notEqual(hash, token);
  assert.ok(!hash.includes(token));
  // no column of any table carries the token in clear
  for (const table of ['appeals', 'appeal_events', 'idempotency_keys']) {
    const dump = await srv.sql(`SELECT * FROM ${table}`);
    assert.ok(!dump.includes(token), `${table} holds the tracking token in clear`);
  }
  const events = await srv.sql(
    `SELECT e.kind || ',' || e.status || ',' || e.public FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id ` +
    `WHERE a.number = '${number}' ORDER BY e.id`);
  assert.equal(events, 'registered,registered,1\nassigned,assigned,1');
});

test('channel defaults to web', async () => {
  const body = validAppeal();
  delete body.channel;
  const res = await post(srv.url, body);
  assert.equal(res.status, 201, res.text);
  assert.equal(await row(res.body.number, 'channel'), 'web');
});

test('optional fields may be left out (address, email)', async () => {
  const body = validAppeal();
  delete body.location.address;
  delete body.applicant.email;
  const res = await post(srv.url, body);
  assert.equal(res.status, 201, res.text);
});

test('Content-Type with a charset parameter is accepted', async () => {
  const res = await post(srv.url, validAppeal(), { 'Content-Type': 'application/json; charset=utf-8' });
  assert.equal(res.status, 201, res.text);
});

test('every usual spelling of a phone is stored as E.164', async () => {
  const spellings = {
    '+380 67 123 45 67': '+380671234567',
    '380671234567': '+380671234567',
    '0671234567': '+380671234567',
    '067-123-45-67': '+380671234567',
    '(067) 123 45 67': '+380671234567',
    '8 067 123 45 67': '+380671234567',
    '+38 (067) 123-45-67': '+380671234567',
    '067.123.45.67': '+380671234567',
    '0 56 123 45 67': '+380561234567',
    '+380 50 987 65 43': '+380509876543',
  };
  for (const [spelling, e164] of Object.entries(spellings)) {
    const body = validAppeal();
    body.applicant.phone = spelling;
    const res = await post(srv.url, body);
    assert.equal(res.status, 201, `${spelling}: ${res.text}`);
    assert.equal(await row(res.body.number, 'applicant_phone'), e164, spelling);
  }
});

test('50 parallel appeals get 50 distinct numbers with no gap', async () => {
  const before = (await srv.counts()).appeals;
  const results = await Promise.all(Array.from({ length: 50 }, () => post(srv.url, validAppeal())));
  for (const r of results) assert.equal(r.status, 201, r.text);
  const numbers = results.map((r) => r.body.number);
  assert.equal(new Set(numbers).size, 50, 'numbers are distinct');
  const tokens = results.map((r) => r.body.tracking_token);
  assert.equal(new Set(tokens).size, 50, 'tokens are distinct');
  const seqs = numbers.map((n) => Number(n.slice(5))).sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => before + 1 + i));
  const c = await srv.counts();
  assert.equal(c.appeals, before + 50);
  assert.equal(c.events, 2 * c.appeals, 'a registered and an assigned event per appeal');
});
