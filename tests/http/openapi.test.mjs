// docs/openapi.json documents every route the binary has, and the server
// serves exactly that file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kontakt } from '../lib/server.mjs';
import { start, call, openapi, OPENAPI_PATH } from './helpers.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const shape = (p) => p.replace(/\{[^}/]+\}/g, '{}');

// "METHOD /path/{param}" lines → [{method, path}].
function parseRoutes(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.map((line) => {
    const m = /^([A-Z]+)\s+(\/\S*)$/.exec(line);
    assert.ok(m, `kontakt routes printed an unexpected line: ${line}`);
    return { method: m[1], path: m[2] };
  });
}

// The routes that docs/openapi.json does not document with their method.
function undocumented(routes, doc) {
  const byShape = new Map(Object.entries(doc.paths).map(([p, ops]) => [shape(p), ops]));
  return routes.filter(({ method, path }) => !byShape.get(shape(path))?.[method.toLowerCase()]);
}

let srv;
before(async () => { srv = await start(); });
after(async () => { await srv?.stop(); });

test('every route of `kontakt routes` is documented in docs/openapi.json', () => {
  const routes = parseRoutes(kontakt(['routes']));
  assert.ok(routes.some((r) => r.method === 'POST' && r.path === '/api/v1/appeals'), 'routes lists POST /api/v1/appeals');
  assert.ok(routes.length >= 8, `only ${routes.length} routes listed`);
  const missing = undocumented(routes, openapi);
  assert.deepEqual(missing.map((r) => `${r.method} ${r.path}`), [], 'routes missing from docs/openapi.json');
  // and nothing is documented that the server does not route
  const routed = new Set(routes.map((r) => `${r.method.toLowerCase()} ${shape(r.path)}`));
  for (const [p, ops] of Object.entries(openapi.paths)) {
    for (const m of Object.keys(ops).filter((k) => METHODS.includes(k))) {
      assert.ok(routed.has(`${m} ${shape(p)}`), `docs/openapi.json documents ${m.toUpperCase()} ${p}, which is not routed`);
    }
  }
});

test('the coverage check fails for an undocumented route', () => {
  const fake = parseRoutes('GET /healthz\nPOST /api/v1/appeals\nGET /api/v1/secret/{id}\nDELETE /api/v1/appeals/{n}\n');
  assert.deepEqual(undocumented(fake, openapi).map((r) => `${r.method} ${r.path}`),
    ['GET /api/v1/secret/{id}', 'DELETE /api/v1/appeals/{n}']);
});

test('GET /api/v1/openapi.json serves docs/openapi.json', async () => {
  const res = await call(srv.url, 'GET', '/api/v1/openapi.json');
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(res.body, JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
});

test('docs/openapi.json is a consistent OpenAPI 3.0.3 document', () => {
  assert.equal(openapi.openapi, '3.0.3');
  assert.ok(openapi.info.title && openapi.info.version);
  const refs = [];
  (function walk(v) {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (typeof v.$ref === 'string') refs.push(v.$ref);
      Object.values(v).forEach(walk);
    }
  })(openapi);
  for (const r of refs) {
    const target = r.replace(/^#\//, '').split('/').reduce((o, k) => o?.[k], openapi);
    assert.ok(target, `unresolved $ref ${r}`);
  }
  const resolve = (x) => (x.$ref ? resolve(x.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k], openapi)) : x);
  const operationIds = new Set();
  for (const [p, ops] of Object.entries(openapi.paths)) {
    const params = (p.match(/\{[^}]+\}/g) || []).map((s) => s.slice(1, -1));
    for (const [m, op] of Object.entries(ops)) {
      const where = `${m.toUpperCase()} ${p}`;
      assert.ok(op.operationId && !operationIds.has(op.operationId), `${where}: unique operationId`);
      operationIds.add(op.operationId);
      const declared = (op.parameters || []).map(resolve).filter((x) => x.in === 'path').map((x) => x.name);
      assert.deepEqual(declared.sort(), [...params].sort(), `${where}: path parameters`);
      assert.ok((op.parameters || []).map(resolve).some((x) => x.name === 'Accept-Language'), `${where}: Accept-Language`);
      for (const [status, r] of Object.entries(op.responses)) {
        const resp = resolve(r);
        assert.ok(resp.headers?.['X-Request-Id'], `${where} ${status}: X-Request-Id header documented`);
        if (Number(status) >= 400) {
          const schema = resp.content['application/json'].schema;
          const codes = schema.allOf?.[1]?.properties?.error?.properties?.code?.enum;
          assert.ok(schema.allOf?.[0]?.$ref === '#/components/schemas/Error' && codes?.length, `${where} ${status}: error codes documented`);
        }
      }
    }
  }
  const post = openapi.paths['/api/v1/appeals'].post;
  assert.ok(post.parameters.map(resolve).some((x) => x.name === 'Idempotency-Key'));
  assert.equal(openapi.components.schemas.AppealCreate.additionalProperties, false);
});
