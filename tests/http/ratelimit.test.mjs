// The per-address limit on filing appeals: explicit, answered with 429 and
// Retry-After, and nothing stored for refused requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, validAppeal } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ env: { KONTAKT_RATE_APPEALS: '5' } }); });
after(async () => { await srv.stop(); });

const post = (body) => fetch(`${srv.url}/api/v1/appeals`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

test('POST /api/v1/appeals: 5 a minute per address, then 429 too_many_requests', async () => {
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await post(validAppeal())).status);
  assert.deepEqual(statuses, [201, 201, 201, 201, 201]);
  const res = await post(validAppeal());
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
  const body = await res.json();
  assert.equal(body.error.code, 'too_many_requests');
  assert.match(body.error.message, /[\u0400-\u04FF]/);
  assert.equal(srv.db.query('SELECT COUNT(*) FROM appeals'), '5');
});

test('reading is not limited', async () => {
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${srv.url}/api/v1/categories`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
});

test('/readyz answers 503 not_ready while the database cannot answer, and recovers', async () => {
  assert.equal((await fetch(`${srv.url}/readyz`)).status, 200);
  srv.db.query('ALTER TABLE appeals RENAME TO appeals_away');
  try {
    const res = await fetch(`${srv.url}/readyz`);
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, 'not_ready');
  } finally {
    srv.db.query('ALTER TABLE appeals_away RENAME TO appeals');
  }
  assert.equal((await fetch(`${srv.url}/readyz`)).status, 200);
});
