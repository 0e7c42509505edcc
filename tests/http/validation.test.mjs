// POST /api/v1/appeals with bad input: each kind gets its status, error
// code, field key and a message naming the field (Ukrainian by default,
// English on request), and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { validAppeal } from '../lib/server.mjs';
import { start, call, post, assertError, assertFieldError, assertSchema } from './helpers.mjs';

let srv;
before(async () => { srv = await start(); });
after(async () => { await srv?.stop(); });

const CYRILLIC = /[\u0400-\u04FF]/;
// English: printable ASCII and typographic punctuation (dashes, quotes, ellipsis).
const ASCII_ISH = /^[\x20-\x7E\u2013\u2014\u2018\u2019\u201C\u201D\u2026]+$/;

// Runs `send`, then asserts that no appeal, event or idempotency key appeared.
async function nothingStored(send) {
  const before = await srv.counts();
  const res = await send();
  assert.deepEqual(await srv.counts(), before, `a failed request stored rows: ${res.status} ${res.text}`);
  return res;
}

const postRaw = (body, contentType = 'application/json', headers = {}) =>
  call(srv.url, 'POST', '/api/v1/appeals', {
    body, headers: contentType === null ? headers : { 'Content-Type': contentType, ...headers },
  });

// validAppeal() with a change at a dotted path; `undefined` deletes it.
function withField(dotted, value) {
  const body = validAppeal();
  const keys = dotted.split('.');
  let obj = body;
  for (const k of keys.slice(0, -1)) obj = obj[k];
  const last = keys[keys.length - 1];
  if (value === undefined) delete obj[last];
  else obj[last] = value;
  return body;
}

// A 422 case, asked in Ukrainian (default) and in English: the field key,
// one of the accepted codes, and a message in each language naming the field.
async function expectField(body, field, codes) {
  const uk = await nothingStored(() => post(srv.url, body));
  const fUk = assertFieldError(uk, field, codes);
  assert.equal(uk.headers.get('content-language'), 'uk');
  assert.match(fUk.message, CYRILLIC, `Ukrainian message expected: ${fUk.message}`);
  assertSchema('Error', uk.body);

  const en = await nothingStored(() => post(srv.url, body, { 'Accept-Language': 'en-US,en;q=0.9' }));
  const fEn = assertFieldError(en, field, codes);
  assert.equal(fEn.code, fUk.code);
  assert.equal(en.headers.get('content-language'), 'en');
  assert.match(fEn.message, ASCII_ISH, `English message expected: ${fEn.message}`);
  assert.match(en.body.error.message, ASCII_ISH);
  assert.notEqual(fEn.message, fUk.message);
  return fUk;
}

test('not JSON, not an object, trailing data, invalid UTF-8, empty → 400 invalid_json', async () => {
  const json = JSON.stringify(validAppeal());
  const cases = {
    'not JSON': 'category=water_supply',
    'truncated': json.slice(0, -1),
    'array': '[' + json + ']',
    'empty array': '[]',
    'string': '"hello"',
    'number': '42',
    'null': 'null',
    'trailing garbage': json + ' x',
    'two objects': json + json,
    'empty body': '',
    'only spaces': '   ',
  };
  for (const [name, body] of Object.entries(cases)) {
    const res = await nothingStored(() => postRaw(body));
    assertError(res, 400, 'invalid_json');
    assert.equal(res.body.error.fields, undefined, `${name}: no field errors for invalid JSON`);
    assertSchema('Error', res.body);
  }
  const prefix = Buffer.from('{"category":"water_supply","type":"no_water","description":"Немає води ');
  const rest = Buffer.from(JSON.stringify(validAppeal()).replace(/^.*?"description":"[^"]*/, ''));
  for (const bad of [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xd0], [0xf4, 0x90, 0x80, 0x80]]) {
    const body = Buffer.concat([prefix, Buffer.from(bad), Buffer.from('у будинку'), rest]);
    const res = await nothingStored(() => postRaw(body));
    assertError(res, 400, 'invalid_json');
  }
});

test('the invalid_json message is English on request', async () => {
  const uk = await postRaw('{');
  const en = await postRaw('{', 'application/json', { 'Accept-Language': 'en' });
  assertError(uk, 400, 'invalid_json');
  assertError(en, 400, 'invalid_json');
  assert.match(uk.body.error.message, CYRILLIC);
  assert.doesNotMatch(en.body.error.message, CYRILLIC);
  const q = await call(srv.url, 'POST', '/api/v1/appeals?lang=en', { body: '{', headers: { 'Content-Type': 'application/json' } });
  assertError(q, 400, 'invalid_json');
  assert.equal(q.headers.get('content-language'), 'en');
  assert.doesNotMatch(q.body.error.message, CYRILLIC);
});

test('wrong or missing Content-Type → 415 unsupported_media_type', async () => {
  const json = JSON.stringify(validAppeal());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const res = await nothingStored(() => postRaw(json, ct));
    assertError(res, 415, 'unsupported_media_type');
  }
  const none = await nothingStored(() => postRaw(Buffer.from(json), null));
  assertError(none, 415, 'unsupported_media_type');
});

test('a body over 16384 bytes → 413 body_too_large; exactly 16384 is accepted', async () => {
  const json = JSON.stringify(validAppeal());
  const exact = json + ' '.repeat(16384 - Buffer.byteLength(json));
  assert.equal(Buffer.byteLength(exact), 16384);
  const over = exact + ' ';
  const res = await nothingStored(() => postRaw(over));
  assertError(res, 413, 'body_too_large');
  const big = await nothingStored(() => postRaw(JSON.stringify(validAppeal({ description: 'Ж'.repeat(40000) }))));
  assertError(big, 413, 'body_too_large');
  const ok = await postRaw(exact);
  assert.equal(ok.status, 201, ok.text);
});

// A body sent in chunks, with no Content-Length: the cap must hold while reading.
function postChunked(chunks) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, path: '/api/v1/appeals', method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text, body: JSON.parse(text) }));
    });
    req.on('error', (e) => { if (!req.res) reject(e); }); // the server may close once it has answered
    (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        req.write(c);
        await new Promise((r) => setImmediate(r));
      }
      req.end();
    })();
  });
}

test('a chunked body over the limit → 413 body_too_large; a small chunked body is fine', async () => {
  const json = JSON.stringify(validAppeal());
  const padded = json + ' '.repeat(40000);
  const chunks = [];
  for (let i = 0; i < padded.length; i += 4096) chunks.push(padded.slice(i, i + 4096));
  const before = await srv.counts();
  const res = await postChunked(chunks);
  assert.equal(res.status, 413, res.text);
  assert.equal(res.body.error.code, 'body_too_large');
  assert.deepEqual(await srv.counts(), before);
  const ok = await postChunked([json.slice(0, 100), json.slice(100)]);
  assert.equal(ok.status, 201, ok.text);
});

test('each missing required field → required', async () => {
  for (const field of ['category', 'type', 'description', 'location', 'applicant',
    'location.lat', 'location.lon', 'applicant.name', 'applicant.phone']) {
    await expectField(withField(field, undefined), field, 'required');
  }
});

test('each field of the wrong JSON type → wrong_type', async () => {
  const cases = [
    ['category', { code: 'water_supply' }],
    ['category', 5],
    ['type', ['no_water']],
    ['description', 12345678901],
    ['description', true],
    ['location', 'просп. Яворницького, 1'],
    ['location', [48.46, 35.04]],
    ['location.lat', '48.4647'],
    ['location.lon', true],
    ['location.lat', { v: 48.4 }],
    ['location.address', 1],
    ['applicant', 'Олена'],
    ['applicant.name', 5],
    ['applicant.phone', 671234567],
    ['applicant.email', false],
    ['channel', 1],
  ];
  for (const [field, value] of cases) await expectField(withField(field, value), field, 'wrong_type');
});

test('null for a required field → required or wrong_type', async () => {
  for (const field of ['category', 'description', 'location.lat', 'applicant.phone']) {
    await expectField(withField(field, null), field, ['required', 'wrong_type']);
  }
});

test('unknown fields, top-level and nested → unknown_field under their own path', async () => {
  await expectField({ ...validAppeal(), foo: 1 }, 'foo', 'unknown_field');
  await expectField({ ...validAppeal(), status: 'closed' }, 'status', 'unknown_field');
  await expectField(withField('location.zzz', 1), 'location.zzz', 'unknown_field');
  await expectField(withField('applicant.age', 42), 'applicant.age', 'unknown_field');
});

test('description length in code points: 9 too short, 10 and 4000 fine, 4001 too long', async () => {
  await expectField(withField('description', 'Жжжжжжжжж'), 'description', 'too_short');
  await expectField(withField('description', '   Жжжжжжжжж \n  '), 'description', 'too_short');
  await expectField(withField('description', ''), 'description', ['too_short', 'required']);
  await expectField(withField('description', 'Ї'.repeat(4001)), 'description', 'too_long');
  for (const text of ['Жжжжжжжжжж', 'Ї'.repeat(4000), '😀'.repeat(10)]) {
    const res = await post(srv.url, withField('description', text));
    assert.equal(res.status, 201, `${[...text].length} code points: ${res.text.slice(0, 300)}`);
  }
});

test('control characters in the description → control_chars; newlines and tabs are fine', async () => {
  for (const c of ['\u0001', '\u0007', '\u001b', '\u001f', '\u007f']) {
    await expectField(withField('description', `Немає води${c} у будинку`), 'description', 'control_chars');
  }
  const res = await post(srv.url, withField('description', 'Немає води\nу будинку\r\nз\tранку'));
  assert.equal(res.status, 201, res.text);
});

test('an escaped NUL (\\u0000) is valid JSON: 422 control_chars, not 400 invalid_json', async () => {
  const body = JSON.stringify(validAppeal({ description: 'Немає води\u0000 у будинку' }));
  assert.ok(body.includes('\\u0000'));
  const res = await nothingStored(() => postRaw(body));
  assertFieldError(res, 'description', 'control_chars');
});

test('coordinates outside the city bounds → out_of_bounds', async () => {
  await expectField(withField('location.lat', 50.4501), 'location.lat', 'out_of_bounds'); // Kyiv
  await expectField(withField('location.lat', 48.2), 'location.lat', 'out_of_bounds');
  await expectField(withField('location.lon', 30.5234), 'location.lon', 'out_of_bounds');
  await expectField(withField('location.lon', 35.5), 'location.lon', 'out_of_bounds');
  await expectField(withField('location.lat', -48.4647), 'location.lat', 'out_of_bounds');
  await expectField(withField('location.lat', 1e300), 'location.lat', 'out_of_bounds');
});

test('only the coordinate outside the bounds is reported', async () => {
  const onlyLat = await nothingStored(() => post(srv.url, withField('location.lat', 50.4501)));
  assert.deepEqual(Object.keys(onlyLat.body.error.fields), ['location.lat'], onlyLat.text);
  const onlyLon = await nothingStored(() => post(srv.url, withField('location.lon', 30.5234)));
  assert.deepEqual(Object.keys(onlyLon.body.error.fields), ['location.lon'], onlyLon.text);
});

test('invalid phone spellings → invalid_phone', async () => {
  for (const phone of ['12345', '+7 495 123 45 67', '067 123 45 6', '067 123 45 678', '0671234567890',
    'телефон', '067 123 45 6x', '+380 0671234567', '000 123 45 67', '+1 212 555 0100', '067/123/45/67']) {
    await expectField(withField('applicant.phone', phone), 'applicant.phone', 'invalid_phone');
  }
  await expectField(withField('applicant.phone', ''), 'applicant.phone', ['invalid_phone', 'required', 'too_short']);
});

test('invalid email → invalid_email', async () => {
  for (const email of ['olena', 'olena@', '@example.com', 'olena.example.com', 'olena@example',
    'ol ena@example.com', 'olena@@example.com', 'olena@-example.com']) {
    await expectField(withField('applicant.email', email), 'applicant.email', 'invalid_email');
  }
});

test('unknown category, type of another category, bad channel', async () => {
  await expectField(withField('category', 'weather'), 'category', 'unknown_category');
  await expectField(validAppeal({ category: 'water_supply', type: 'gas_smell' }), 'type', 'unknown_type');
  await expectField(validAppeal({ type: 'no_such_type' }), 'type', 'unknown_type');
  await expectField(withField('channel', 'fax'), 'channel', 'invalid_value');
  await expectField(withField('channel', 'WEB'), 'channel', 'invalid_value');
});

test('name 1–200 and address ≤ 300 code points', async () => {
  await expectField(withField('applicant.name', 'Ж'.repeat(201)), 'applicant.name', 'too_long');
  await expectField(withField('applicant.name', ''), 'applicant.name', ['too_short', 'required']);
  await expectField(withField('location.address', 'Ж'.repeat(301)), 'location.address', 'too_long');
  const ok = await post(srv.url, validAppeal({
    applicant: { name: 'Ж'.repeat(200), phone: '0671234567' },
    location: { lat: 48.4647, lon: 35.0462, address: 'Ж'.repeat(300) },
  }));
  assert.equal(ok.status, 201, ok.text);
});

test('several bad fields are reported together', async () => {
  const body = validAppeal({ category: 'water_supply', channel: 'fax', foo: 1 });
  body.applicant.phone = '123';
  body.location.lat = 10;
  const res = await nothingStored(() => post(srv.url, body));
  const err = assertError(res, 422, 'validation_failed');
  for (const f of ['channel', 'foo', 'applicant.phone', 'location.lat']) assert.ok(err.fields[f], `${f} in ${res.text}`);
});
