// Idempotency-Key on POST /api/v1/appeals: replays, reuse with another
// body, malformed keys, and parallel retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { validAppeal } from '../lib/server.mjs';
import { start, post, assertError } from './helpers.mjs';

let srv;
before(async () => { srv = await start(); });
after(async () => { await srv?.stop(); });

const newKey = () => 'k-' + randomBytes(12).toString('hex');

test('same key and same body: the first answer again, one appeal', async () => {
  const key = newKey();
  const before = await srv.counts();
  const first = await post(srv.url, validAppeal(), { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  assert.notEqual(first.headers.get('idempotent-replayed'), 'true');
  const second = await post(srv.url, validAppeal(), { 'Idempotency-Key': key });
  assert.equal(second.status, 201, second.text);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(second.body.number, first.body.number);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.headers.get('location'), first.headers.get('location'));
  const after = await srv.counts();
  assert.equal(after.appeals, before.appeals + 1);
  assert.equal(after.events, before.events + 2, 'registered and assigned, once');
  assert.equal(after.idempotency, before.idempotency + 1);
  // neither the key nor the stored answer's tracking token is kept in clear
  const dump = await srv.sql('SELECT * FROM idempotency_keys');
  assert.ok(!dump.includes(key), 'idempotency key stored in clear');
  assert.ok(!dump.includes(first.body.tracking_token), 'tracking token stored in clear in idempotency_keys');
  // a third retry still replays
  const third = await post(srv.url, validAppeal(), { 'Idempotency-Key': key });
  assert.equal(third.body.number, first.body.number);
  assert.equal((await srv.counts()).appeals, before.appeals + 1);
});

test('same key with a different body → 422 idempotency_key_reused, nothing stored', async () => {
  const key = newKey();
  const first = await post(srv.url, validAppeal(), { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  const before = await srv.counts();
  const other = validAppeal({ description: 'Зовсім інший опис проблеми з водою' });
  const res = await post(srv.url, other, { 'Idempotency-Key': key });
  assertError(res, 422, 'idempotency_key_reused');
  assert.equal(res.body.error.fields, undefined);
  assert.deepEqual(await srv.counts(), before);
  const en = await post(srv.url, other, { 'Idempotency-Key': key, 'Accept-Language': 'en' });
  assertError(en, 422, 'idempotency_key_reused');
  assert.doesNotMatch(en.body.error.message, /[\u0400-\u04FF]/);
});

test('different keys with the same body make two appeals', async () => {
  const a = await post(srv.url, validAppeal(), { 'Idempotency-Key': newKey() });
  const b = await post(srv.url, validAppeal(), { 'Idempotency-Key': newKey() });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.notEqual(a.body.number, b.body.number);
  assert.equal(b.headers.get('idempotent-replayed'), null);
});

test('malformed keys → 400 invalid_idempotency_key; 128 characters are fine', async () => {
  for (const key of ['', 'k'.repeat(129), 'clé', 'a\tb']) {
    const before = await srv.counts();
    const res = await post(srv.url, validAppeal(), { 'Idempotency-Key': key });
    assertError(res, 400, 'invalid_idempotency_key');
    assert.deepEqual(await srv.counts(), before, `key ${JSON.stringify(key)} stored rows`);
  }
  const ok = await post(srv.url, validAppeal(), { 'Idempotency-Key': 'K'.repeat(128) });
  assert.equal(ok.status, 201, ok.text);
});

test('a failed request does not use up its key', async () => {
  const key = newKey();
  const before = await srv.counts();
  const bad = await post(srv.url, validAppeal({ category: 'weather' }), { 'Idempotency-Key': key });
  assertError(bad, 422, 'validation_failed');
  assert.deepEqual(await srv.counts(), before);
  const good = await post(srv.url, validAppeal(), { 'Idempotency-Key': key });
  assert.equal(good.status, 201, good.text);
  assert.equal(good.headers.get('idempotent-replayed'), null);
});

test('10 parallel requests with one key make one appeal and one answer', async () => {
  const key = newKey();
  const before = await srv.counts();
  const results = await Promise.all(Array.from({ length: 10 },
    () => post(srv.url, validAppeal(), { 'Idempotency-Key': key })));
  for (const r of results) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(results.map((r) => r.body.number)).size, 1);
  assert.equal(new Set(results.map((r) => r.body.tracking_token)).size, 1);
  assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 9);
  const after = await srv.counts();
  assert.equal(after.appeals, before.appeals + 1);
  assert.equal(after.idempotency, before.idempotency + 1);
});
