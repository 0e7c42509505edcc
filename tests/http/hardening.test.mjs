// Regressions from the code review: what a hostile or careless client must
// never achieve (log forging, invisible text, serving any npm package), and
// the trusted-proxy setting for deployments behind nginx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, validAppeal } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer({ env: { KONTAKT_TRUSTED_PROXY: '127.0.0.1', KONTAKT_RATE_APPEALS: '2' } });
});
after(async () => { await srv.stop(); });

const post = (body, headers = {}) => fetch(`${srv.url}/api/v1/appeals`, {
  method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
});

function raw(request) {
  return new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1', () => s.write(request));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(data));
    setTimeout(() => s.destroy(), 2000);
  });
}

test('a forged method never reaches the log as written', async () => {
  await raw('GE"T,"route":"/api/v1/track/SECRET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!srv.logs().includes('SECRET'), 'the injected text is in the log');
  for (const line of srv.logs().split('\n').filter((l) => l.startsWith('{'))) JSON.parse(line);
});

test('the request log carries route patterns, never a tracking token', async () => {
  const token = 'A'.repeat(43);
  await fetch(`${srv.url}/api/v1/track/${token}`);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!srv.logs().includes(token));
  assert.match(srv.logs(), /"route":"\/api\/v1\/track\/\{token\}"/);
});

test('behind the trusted proxy the rate limit counts each forwarded client on its own', async () => {
  const a = { 'X-Forwarded-For': '203.0.113.7' }, b = { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9' };
  assert.equal((await post(validAppeal(), a)).status, 201);
  assert.equal((await post(validAppeal(), a)).status, 201);
  assert.equal((await post(validAppeal(), a)).status, 429);
  assert.equal((await post(validAppeal(), b)).status, 201); // the right-most address counts
  assert.equal((await post(validAppeal(), b)).status, 201);
  assert.equal((await post(validAppeal(), b)).status, 429);
});

test('line breaks in one-line fields and invisible bidi or zero-width characters are refused', async () => {
  const cases = [
    [validAppeal({ applicant: { name: 'Олена\nКоваль', phone: '0671234567' } }), 'applicant.name'],
    [validAppeal({ location: { lat: 48.46, lon: 35.04, address: 'вул. Робоча,\t1' } }), 'location.address'],
    [validAppeal({ description: 'Немає води \u202Eвдома\u202C вже добу' }), 'description'],
    [validAppeal({ description: 'Немає води\u200B у будинку з ранку' }), 'description'],
  ];
  const n = srv.db.query('SELECT COUNT(*) FROM appeals');
  for (const [body, field] of cases) {
    const res = await post(body, { 'X-Forwarded-For': `192.0.2.${Math.floor(Math.random() * 200)}` });
    assert.equal(res.status, 422, field);
    assert.equal((await res.json()).error.fields[field].code, 'control_chars', field);
  }
  assert.equal(srv.db.query('SELECT COUNT(*) FROM appeals'), n);
});

test('a description may keep its line breaks; an e-mail with spaces around is accepted trimmed', async () => {
  const res = await post(validAppeal({
    description: 'Немає води.\nТиск зник о 8:00.\tПрошу перевірити.',
    applicant: { name: 'Олена', phone: '0671234567', email: '  olena@example.com  ' },
  }), { 'X-Forwarded-For': '192.0.2.250' });
  assert.equal(res.status, 201, await res.clone().text());
  const { number } = await res.json();
  assert.equal(srv.db.query(`SELECT applicant_email FROM appeals WHERE number = '${number}'`), 'olena@example.com');
});

test('only the packages the pages use are served under /vendor/', async () => {
  assert.equal((await fetch(`${srv.url}/vendor/leaflet/leaflet.js`)).status, 200);
  assert.equal((await fetch(`${srv.url}/vendor/playwright-core/index.js`)).status, 404);
  assert.equal((await fetch(`${srv.url}/vendor/playwright-core/package.json`)).status, 404);
});
