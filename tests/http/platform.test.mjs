// What every response carries, health, routing, keep-alive, static pages,
// path traversal and graceful shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { validAppeal } from '../lib/server.mjs';
import { start, call, post, assertError, assertSchema, rawGet } from './helpers.mjs';

let srv;
before(async () => { srv = await start(); });
after(async () => { await srv?.stop(); });

const REQUEST_ID = /^[0-9a-f]{32}$/;

test('GET /healthz and /readyz', async () => {
  const h = await call(srv.url, 'GET', '/healthz');
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.body, { status: 'ok' });
  assert.match(h.headers.get('content-type'), /^application\/json/);
  const r = await call(srv.url, 'GET', '/readyz');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { status: 'ready' });
});

// One of each kind of answer: JSON, error, 405, OPTIONS, 201, 422, static file.
const kinds = [
  ['GET', '/healthz'],
  ['GET', '/api/v1/categories'],
  ['GET', '/api/v1/config'],
  ['GET', '/api/v1/no-such-thing'],
  ['GET', '/api/v1/appeals/2026-999999'],
  ['DELETE', '/api/v1/appeals'],
  ['OPTIONS', '/api/v1/appeals'],
  ['POST', '/api/v1/appeals', validAppeal()],
  ['POST', '/api/v1/appeals', { foo: 1 }],
  ['GET', '/'],
  ['GET', '/vendor/leaflet/leaflet.js'],
  ['GET', '/no-such-page.html'],
];
const send = ([method, p, json], headers = {}) => call(srv.url, method, p, { json, headers });

test('X-Request-Id on every response, 32 hex, unique per request, and in the log', async () => {
  const ids = new Set();
  for (let round = 0; round < 2; round++) {
    for (const k of kinds) {
      const res = await send(k);
      const id = res.headers.get('x-request-id');
      assert.match(id || '', REQUEST_ID, `${k[0]} ${k[1]} → ${res.status}: X-Request-Id ${id}`);
      assert.ok(!ids.has(id), `X-Request-Id ${id} repeated`);
      ids.add(id);
    }
  }
  const parallel = await Promise.all(Array.from({ length: 20 }, () => call(srv.url, 'GET', '/healthz')));
  for (const r of parallel) ids.add(r.headers.get('x-request-id'));
  assert.equal(ids.size, kinds.length * 2 + 20);

  const last = (await call(srv.url, 'GET', '/api/v1/appeals/2026-999998')).headers.get('x-request-id');
  // the log line is written when the request completes; wait for it to show up (bounded by the test timeout)
  while (!srv.logs().includes(last)) await new Promise((r) => setTimeout(r, 20));
  const line = srv.logs().split('\n').find((l) => l.includes(last));
  assert.doesNotThrow(() => JSON.parse(line), `log line is JSON: ${line}`);
});

test('security headers on every response', async () => {
  const config = (await call(srv.url, 'GET', '/api/v1/config')).body;
  const tileHost = new URL(config.map.tile_url.replace(/[{}]/g, '')).host;
  for (const k of kinds) {
    const res = await send(k);
    const where = `${k[0]} ${k[1]} → ${res.status}`;
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', where);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', where);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', where);
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /(default-src|script-src)[^;]*'self'/, `${where}: CSP ${csp}`);
    assert.doesNotMatch(csp, /'unsafe-eval'|script-src[^;]*\*/, `${where}: CSP ${csp}`);
    assert.ok(csp.includes(tileHost), `${where}: CSP must allow tiles from ${tileHost}: ${csp}`);
  }
});

test('Content-Language: uk by default, en from Accept-Language or ?lang=en', async () => {
  const cases = [
    [{}, '/healthz', 'uk'],
    [{ 'Accept-Language': 'uk-UA,uk;q=0.9' }, '/healthz', 'uk'],
    [{ 'Accept-Language': 'en-US,en;q=0.9' }, '/healthz', 'en'],
    [{ 'Accept-Language': 'en' }, '/api/v1/no-such-thing', 'en'],
    [{ 'Accept-Language': 'de-DE,de;q=0.9' }, '/healthz', 'uk'],
    [{ 'Accept-Language': 'EN-US' }, '/healthz', 'en'], // language tags are case-insensitive
    [{ 'Accept-Language': 'en;q=0, uk;q=0.5' }, '/healthz', 'uk'],
    [{ 'Accept-Language': 'de, en;q=0.5' }, '/healthz', 'en'],
    [{ 'Accept-Language': 'uk;q=0.9,en;q=0.8' }, '/healthz', 'uk'],
    [{}, '/api/v1/categories?lang=en', 'en'],
    [{ 'Accept-Language': 'en' }, '/api/v1/categories?lang=uk', 'uk'],
    [{ 'Accept-Language': 'en' }, '/', 'en'],
  ];
  for (const [headers, p, want] of cases) {
    const res = await call(srv.url, 'GET', p, { headers });
    assert.equal(res.headers.get('content-language'), want, `${p} ${JSON.stringify(headers)}`);
  }
});

test('unknown paths → 404 not_found in the error shape', async () => {
  for (const p of ['/nope', '/api/v1/nope', '/api/v2/categories', '/api/v1/appeals/2026-000001/extra',
    '/api/v1/track', '/api/v1', '/healthz/x']) {
    const res = await call(srv.url, 'GET', p);
    assertError(res, 404, 'not_found');
    assertSchema('Error', res.body);
  }
  const en = await call(srv.url, 'GET', '/api/v1/nope', { headers: { 'Accept-Language': 'en' } });
  assert.doesNotMatch(en.body.error.message, /[\u0400-\u04FF]/);
});

const allowOf = (res) => (res.headers.get('allow') || '').split(',').map((m) => m.trim()).filter(Boolean);

test('a wrong method → 405 method_not_allowed with Allow', async () => {
  const cases = [
    ['DELETE', '/api/v1/appeals', 'POST'],
    ['PUT', '/api/v1/appeals', 'POST'],
    ['POST', '/api/v1/categories', 'GET'],
    ['DELETE', '/api/v1/appeals/2026-000001', 'GET'],
    ['PATCH', '/api/v1/track/abc', 'GET'],
    ['POST', '/healthz', 'GET'],
    ['PUT', '/api/v1/config', 'GET'],
  ];
  for (const [method, p, allowed] of cases) {
    const res = await call(srv.url, method, p, { body: method === 'GET' ? undefined : '{}', headers: { 'Content-Type': 'application/json' } });
    assertError(res, 405, 'method_not_allowed');
    assert.ok(allowOf(res).includes(allowed), `${method} ${p}: Allow ${res.headers.get('allow')}`);
    assert.ok(!allowOf(res).includes(method), `${method} ${p}: Allow ${res.headers.get('allow')}`);
  }
});

test('OPTIONS is answered with Allow', async () => {
  for (const [p, allowed] of [['/api/v1/appeals', 'POST'], ['/api/v1/categories', 'GET'],
    ['/api/v1/appeals/2026-000001', 'GET'], ['/api/v1/track/abc', 'GET']]) {
    const res = await call(srv.url, 'OPTIONS', p);
    assert.ok(res.status === 204 || res.status === 200, `OPTIONS ${p} → ${res.status} ${res.text}`);
    assert.ok(allowOf(res).includes(allowed), `OPTIONS ${p}: Allow ${res.headers.get('allow')}`);
    assert.ok(allowOf(res).includes('OPTIONS'), `OPTIONS ${p}: Allow ${res.headers.get('allow')}`);
  }
});

// Sequential requests over one keep-alive agent with a single socket.
function agentRequest(agent, method, p, json) {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const req = http.request({
      host: '127.0.0.1', port: srv.port, path: p, method, agent,
      headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, socket: req.socket, reused: req.reusedSocket,
        connection: res.headers.connection, text: Buffer.concat(chunks).toString(),
      }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('keep-alive: many requests, including POSTs and errors, over one connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const seq = [
      ['GET', '/healthz'],
      ['GET', '/api/v1/categories'],
      ['POST', '/api/v1/appeals', validAppeal()],
      ['POST', '/api/v1/appeals', { ...validAppeal(), foo: 1 }],
      ['GET', '/api/v1/no-such-thing'],
      ['GET', '/api/v1/appeals/2026-999999'],
      ['GET', '/'],
      ['GET', '/vendor/leaflet/leaflet.js'],
      ['DELETE', '/api/v1/appeals'],
      ['GET', '/readyz'],
    ];
    const results = [];
    for (const [method, p, json] of seq) results.push(await agentRequest(agent, method, p, json));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 201, 422, 404, 404, 200, 200, 405, 200]);
    assert.equal(new Set(results.map((r) => r.socket)).size, 1, 'one socket for all requests');
    results.slice(1).forEach((r, i) => assert.ok(r.reused, `request ${i + 2} (${seq[i + 1][1]}) did not reuse the socket`));
    for (const r of results) assert.notEqual(r.connection, 'close');
  } finally {
    agent.destroy();
  }
});

test('static pages and Leaflet', async () => {
  for (const p of ['/', '/appeal.html', '/track.html']) {
    const res = await call(srv.url, 'GET', p);
    assert.equal(res.status, 200, `${p}: ${res.status}`);
    assert.match(res.headers.get('content-type') || '', /^text\/html/, p);
    assert.match(res.text, /<html/i, p);
  }
  const js = await call(srv.url, 'GET', '/vendor/leaflet/leaflet.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') || '', /^(application|text)\/javascript/);
  assert.ok(js.text.length > 10000 && js.text.includes('Leaflet'), 'leaflet.js content');
  const css = await call(srv.url, 'GET', '/vendor/leaflet/leaflet.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') || '', /^text\/css/);
  assertError(await call(srv.url, 'GET', '/no-such-page.html'), 404, 'not_found');
  assertError(await call(srv.url, 'GET', '/vendor/leaflet/no-such.js'), 404, 'not_found');
});

test('path traversal never leaves web/', async () => {
  const targets = [
    '/../../etc/passwd',
    '/../../../../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e/',
    '/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/vendor/../../../../etc/passwd',
    '/vendor/leaflet/..%2f..%2f..%2fmeson.build',
    '/vendor/%2e%2e/%2e%2e/meson.build',
    '/..%5c..%5cmeson.build',
    '/%2e%2e%2fmeson.build',
    '/.git/config',
    '//etc/passwd',
    '/web/../meson.build',
  ];
  for (const t of targets) {
    const res = await rawGet(srv.port, t);
    assert.equal(res.status, 404, `${t} → ${res.status}\n${res.raw.slice(0, 300)}`);
    assert.doesNotMatch(res.raw, /root:.*:0:0:|project\('kontakt'|\[core\]/, `${t} leaked a file`);
    assert.match(res.raw, /"not_found"/, `${t}: JSON not_found expected`);
  }
});

test('SIGTERM: the server exits 0, even with an idle keep-alive connection open', async () => {
  const own = await start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const res = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: own.port, path: '/healthz', agent }, (r) => {
      r.resume();
      r.on('end', () => resolve(r.statusCode));
    }).on('error', reject);
  });
  assert.equal(res, 200);
  const ok = await post(own.url, validAppeal());
  assert.equal(ok.status, 201);
  const code = await own.stop();
  agent.destroy();
  assert.equal(code, 0, own.logs());
});
