// The permission matrix in one walk: every staff endpoint × every role
// (and no session at all). Deny by default: a role not listed for an
// endpoint gets 403 (404 where even an appeal's existence must not leak),
// a listed role gets through the rights check (200 for reads).
// The finer object checks (an executor and another organisation's appeal,
// every appeal action) are in workflow.test.mjs and queues.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, call } from './helpers.mjs';
import { validAppeal } from '../lib/server.mjs';
import { staffOfEveryRole } from '../lib/staff.mjs';

const ROLES = ['operator', 'dispatcher', 'executor', 'supervisor', 'analyst', 'admin'];
let srv, staff, number;

before(async () => {
  srv = await start();
  staff = await staffOfEveryRole(srv, 'vodokanal', 'pm');
  const r = await staff.operator.call('POST', '/api/v1/appeals', { json: validAppeal({ channel: 'phone' }) });
  assert.equal(r.status, 201, r.text);
  number = r.body.number; // water: vodokanal, the executor's organisation
});
after(async () => { await srv.stop(); });

// [method, path, body, roles allowed, the status a refused role gets]
const endpoints = () => [
  ['GET', '/api/v1/auth/me', undefined, ROLES, 403],
  ['GET', '/api/v1/users', undefined, ['admin'], 403],
  ['POST', '/api/v1/users', { login: 'pm-new', name: 'X', role: 'operator', password: 'short' }, ['admin'], 403],
  ['POST', '/api/v1/users/pm-analyst', { name: 'Аналітик' }, ['admin'], 403],
  ['GET', '/api/v1/queues/triage', undefined, ['dispatcher', 'supervisor'], 403],
  ['GET', '/api/v1/queues/organisation?organisation=vodokanal', undefined, ['dispatcher', 'executor', 'supervisor'], 403],
  ['GET', '/api/v1/queues/escalations', undefined, ['supervisor'], 403],
  ['GET', '/api/v1/queues/extensions', undefined, ['supervisor'], 403],
  ['GET', '/api/v1/queues/disputed', undefined, ['supervisor'], 403],
  ['GET', `/api/v1/staff/appeals/${number}`, undefined, ['operator', 'dispatcher', 'executor', 'supervisor'], 403],
  ['GET', '/api/v1/callers/0671234567', undefined, ['operator', 'dispatcher', 'supervisor'], 403],
  ['POST', '/api/v1/consultations', { phone: '0671234567', topic: 'Графік відключень' }, ['operator', 'dispatcher', 'supervisor'], 403],
  ['GET', '/api/v1/violations', undefined, ['supervisor', 'analyst', 'admin'], 403],
  ['GET', '/api/v1/violations?format=csv', undefined, ['supervisor', 'analyst', 'admin'], 403],
  ['GET', '/api/v1/scorecards', undefined, ['supervisor', 'analyst', 'admin'], 403],
  // an appeal action: roles that may not see appeals learn nothing (404)
  ['POST', `/api/v1/appeals/${number}/actions`, { action: 'reclassify' }, ['dispatcher', 'supervisor'], { operator: 403, executor: 403, analyst: 404, admin: 404 }],
  ['POST', `/api/v1/appeals/${number}/actions`, { action: 'request_extension' }, ['executor'], { operator: 403, dispatcher: 403, supervisor: 403, analyst: 404, admin: 404 }],
];

test('every staff endpoint × every role, and without a session', async () => {
  const seen = [];
  for (const [method, path, json, allowed, refused] of endpoints()) {
    const anon = await call(srv.url, method, path, { json });
    assert.equal(anon.status, 401, `no session: ${method} ${path} → ${anon.status} ${anon.text}`);
    assert.equal(anon.body.error.code, 'auth_required');
    for (const role of ROLES) {
      const r = await staff[role].call(method, path, { json });
      const line = `${role} ${method} ${path} → ${r.status} ${r.text.slice(0, 160)}`;
      seen.push(`${role} ${method} ${path} ${r.status}`);
      if (allowed.includes(role)) {
        assert.ok(![401, 403, 404].includes(r.status), `allowed, yet refused: ${line}`);
        if (method === 'GET') assert.equal(r.status, 200, line);
      } else {
        const want = typeof refused === 'number' ? refused : refused[role];
        assert.equal(r.status, want, `must be refused: ${line}`);
        assert.equal(r.body.error.code, want === 404 ? 'appeal_not_found' : 'forbidden', line);
      }
    }
  }
  assert.equal(seen.length, endpoints().length * ROLES.length);
});

test('every non-GET staff endpoint refuses a request without the CSRF header, whatever the role', async () => {
  for (const [method, path, json, allowed] of endpoints()) {
    if (method === 'GET') continue;
    const s = staff[allowed[0]];
    const r = await s.call(method, path, { json, headers: { 'X-CSRF-Token': '' } });
    assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    assert.equal(r.body.error.code, 'csrf_failed');
  }
});
