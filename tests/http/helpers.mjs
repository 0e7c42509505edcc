// Shared helpers of the HTTP tests (not a test file itself): requests,
// database row counts, raw sockets, and a small validator that checks
// answers against the schemas of docs/openapi.json.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, DB_KIND, startServer } from '../lib/server.mjs';

// One HTTP call with fetch. `json` is serialised with Content-Type
// application/json; `body` is sent as given (string or Buffer).
// Returns {status, headers, text, body} where body is the parsed JSON or undefined.
export async function call(base, method, urlPath, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(base + urlPath, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export const post = (base, body, headers = {}) =>
  call(base, 'POST', '/api/v1/appeals', { json: body, headers });

// One psql session kept open for the life of a server: a psql process per
// query costs ~0.1-0.5 s, which the many "nothing stored" checks cannot pay.
function psqlSession(url) {
  const child = spawn('psql', [url, '-qAtX', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const END = '__kontakt_test_end__';
  let out = '';
  let err = '';
  let pending = null;
  let chain = Promise.resolve();
  child.stdout.on('data', (c) => {
    out += c;
    const i = out.indexOf(END + '\n');
    if (i >= 0 && pending) {
      const text = out.slice(0, i).trim();
      out = out.slice(i + END.length + 1);
      const p = pending;
      pending = null;
      p.resolve(text);
    }
  });
  child.stderr.on('data', (c) => { err += c; });
  child.on('exit', (code) => pending?.reject(new Error(`psql exited ${code}: ${err}`)));
  const run = (sql) => new Promise((resolve, reject) => {
    pending = { resolve, reject };
    child.stdin.write(`${sql};\n\\echo ${END}\n`);
  });
  return {
    query: (sql) => (chain = chain.then(() => run(sql), () => run(sql))),
    close: () => new Promise((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', r);
      child.stdin.end();
    }),
  };
}

// startServer() plus srv.sql(query) -> Promise<string> (rows as psql/sqlite3
// print them: columns joined by "|", rows by newlines) and srv.counts().
// These tests file far more appeals a minute from 127.0.0.1 than the
// per-address limit lets a resident (ratelimit.test.mjs tests the limit),
// so the limit is raised unless opts.env sets it.
export async function start(opts = {}) {
  const env = { KONTAKT_RATE_APPEALS: '1000000', ...(opts.env || {}) };
  const srv = await startServer({ ...opts, env });
  const session = DB_KIND === 'pg' ? psqlSession(srv.db.url) : null;
  srv.sql = async (q) => (session ? session.query(q) : srv.db.query(q));
  srv.counts = async () => {
    const out = await srv.sql('SELECT (SELECT count(*) FROM appeals), (SELECT count(*) FROM appeal_events), ' +
      '(SELECT count(*) FROM idempotency_keys)');
    const [appeals, events, idempotency] = out.split('|').map(Number);
    return { appeals, events, idempotency };
  };
  const stop = srv.stop.bind(srv);
  srv.stop = async () => {
    await session?.close();
    return stop();
  };
  return srv;
}

// Asserts the answer is the one error shape with this status and code.
export function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.ok(res.body && typeof res.body.error === 'object', `error body expected, got: ${res.text}`);
  assert.equal(res.body.error.code, code, `expected code ${code}, got: ${res.text}`);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0, 'error message is empty');
  assert.match(res.headers.get('content-type') || '', /^application\/json/);
  return res.body.error;
}

// Asserts a 422 validation_failed naming `field` with one of `codes`;
// returns the field error.
export function assertFieldError(res, field, codes) {
  const err = assertError(res, 422, 'validation_failed');
  assert.ok(err.fields && typeof err.fields === 'object', `fields expected: ${res.text}`);
  const f = err.fields[field];
  assert.ok(f, `field ${field} expected in: ${res.text}`);
  const want = Array.isArray(codes) ? codes : [codes];
  assert.ok(want.includes(f.code), `field ${field}: expected ${want.join('|')}, got ${f.code}`);
  assert.ok(typeof f.message === 'string' && f.message.includes(field),
    `message of ${field} must name the field: ${f.message}`);
  return f;
}

// Sends bytes over a fresh TCP connection and reads the whole answer
// (Connection: close). For requests fetch would rewrite (dot segments).
export function rawRequest(port, text) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    sock.on('connect', () => sock.write(text));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const head = all.slice(0, all.indexOf('\r\n\r\n'));
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : 0, head, raw: all });
    });
  });
}

export function rawGet(port, target) {
  return rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
}

export const OPENAPI_PATH = path.join(ROOT, 'docs/openapi.json');
export const openapi = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));

// Validates `value` against a schema of docs/openapi.json (the subset of
// OpenAPI 3.0 schema keywords the document uses). Returns a list of errors.
export function validateSchema(schema, value, where = '$', errors = []) {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = openapi.components.schemas[name];
    if (!target) { errors.push(`${where}: unknown $ref ${schema.$ref}`); return errors; }
    return validateSchema(target, value, where, errors);
  }
  if (value === null && schema.nullable) return errors; // OpenAPI 3.0: nullable covers its allOf too
  if (schema.allOf) for (const s of schema.allOf) validateSchema(s, value, where, errors);
  if (value === null) {
    if (schema.type && !schema.nullable) errors.push(`${where}: null not allowed`);
    return errors;
  }
  const t = schema.type;
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (t === 'integer' ? !Number.isInteger(value) : t === 'number' ? actual !== 'number' : t && actual !== t) {
    errors.push(`${where}: expected ${t}, got ${actual}`);
    return errors;
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} not in enum`);
  if (actual === 'string') {
    const len = [...value].length;
    if (schema.minLength !== undefined && len < schema.minLength) errors.push(`${where}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && len > schema.maxLength) errors.push(`${where}: longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${where}: ${value} !~ ${schema.pattern}`);
  }
  if (actual === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: above ${schema.maximum}`);
  }
  if (actual === 'array') {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${where}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${where}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => validateSchema(schema.items, v, `${where}[${i}]`, errors));
  }
  if (actual === 'object') {
    for (const r of schema.required || []) if (!(r in value)) errors.push(`${where}: missing ${r}`);
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (props[k]) validateSchema(props[k], v, `${where}.${k}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${where}: unexpected property ${k}`);
      else if (typeof schema.additionalProperties === 'object') {
        validateSchema(schema.additionalProperties, v, `${where}.${k}`, errors);
      }
    }
  }
  return errors;
}

// Asserts `value` matches components/schemas/<name>.
export function assertSchema(name, value) {
  const errors = validateSchema({ $ref: `#/components/schemas/${name}` }, value);
  assert.deepEqual(errors, [], `${name} does not match docs/openapi.json:\n${errors.join('\n')}`);
}

// Milliseconds of an ISO 8601 UTC instant with milliseconds, asserting the form.
export function instantMs(text) {
  assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, `not an ISO 8601 UTC instant: ${text}`);
  const ms = Date.parse(text);
  assert.ok(Number.isFinite(ms), `unparsable instant ${text}`);
  return ms;
}

// Year of an instant in Europe/Kyiv (appeal numbers are per year).
export function kyivYear(ms) {
  return new Intl.DateTimeFormat('en', { timeZone: 'Europe/Kyiv', year: 'numeric' }).format(new Date(ms));
}
