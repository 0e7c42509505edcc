// Streets and addresses: `kontakt import streets|addresses`, the
// autocomplete GET /api/v1/addresses and GET /api/v1/addresses/nearest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BIN, ROOT, freshDatabase, kontakt } from '../lib/server.mjs';
import { start, call, assertError, assertSchema } from './helpers.mjs';

const env = { ...process.env, KONTAKT_DEMO_PLACES: '0' };
const dir = mkdtempSync(path.join(tmpdir(), 'kontakt-addr-'));
const file = (name, text) => { const p = path.join(dir, name); writeFileSync(p, text); return p; };

// A small register in the shape of ../shared/data/geo/dnipro-street-renames.json.
const register = file('renames.json', JSON.stringify({
  lastUpdate: '1',
  r61: {
    oldAreaName: 'Амур-Нижньодніпровський', newAreaName: 'Амур-Нижньодніпровський',
    objects: [
      { type: 'street', oldName: 'Баглія', newName: 'Брацлавська' },
      { type: 'street', oldName: 'Білостоцького', newName: 'Любарського' },
      { type: 'lane', oldName: 'Білостоцького', newName: 'Любарського' },
      { type: 'street', oldName: 'Пархоменка', newName: 'Григорія Граб\u2019янки' },
      { type: 'lake', oldName: 'Старе', newName: 'Нове' },
    ],
  },
}));
file('katottg-dnipro.csv', 'Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта\n' +
  'UA12;UA1202;UA120201;UA12020010010037010;;M;Дніпро\n' +
  'UA12;UA1202;UA120201;UA12020010010037010;UA12020010010114149;B;Амур-Нижньодніпровський\n');
const csv = file('addresses.csv', [
  'street,house,lat,lon',
  'вул. Робоча,12,48.500000,35.000000',
  'вул. Робоча,12а,48.500200,35.000000',
  'вул. Робоча,120,,',
  'Робоча,5/7,48.499000,35.001000',
  'вул. Брацлавська,3 корп. 2,48.380000,35.060000',
  'вул. Баглія,9,48.381000,35.061000',
  'пров. Любарського,1,48.390000,35.070000',
  '"Григорія Граб\'янки",7,48.410000,35.020000',
  'Тополиний узвіз,2,48.420000,35.030000',
].join('\n') + '\n');

let srv;
let db;
before(async () => {
  db = freshDatabase();
  kontakt(['migrate', '--db', db.url], { env });
  kontakt(['import', 'streets', register, '--db', db.url], { env });
  kontakt(['import', 'addresses', csv, '--db', db.url], { env });
  srv = await start({ db, env: { KONTAKT_DEMO_PLACES: '0' } });
});
after(async () => {
  await srv?.stop();
  db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const suggest = async (q, extra = '') => {
  const res = await call(srv.url, 'GET', `/api/v1/addresses?q=${encodeURIComponent(q)}${extra}`);
  assert.equal(res.status, 200, res.text);
  assertSchema('AddressSuggestions', res.body);
  return res.body.suggestions;
};

test('the imports stored streets, old names and addresses (old names resolve to the new street)', async () => {
  assert.equal(await srv.sql('SELECT count(*) FROM streets'), '6'); // 4 register + Робоча + Тополиний
  assert.equal(await srv.sql("SELECT count(*) FROM street_old_names"), '4');
  assert.equal(await srv.sql('SELECT count(*) FROM addresses'), '9');
  assert.equal(await srv.sql("SELECT a.house FROM addresses a JOIN streets s ON s.id = a.street_id WHERE s.name = 'Брацлавська' ORDER BY a.house"), '3 корп. 2\n9');
  assert.equal(await srv.sql("SELECT kind FROM streets WHERE name = 'Тополиний'"), 'slope');
  assert.equal(await srv.sql("SELECT district FROM streets WHERE name = 'Брацлавська'"), 'UA12020010010114149');
});

test('a bad CSV row is reported with its line number and nothing is stored', () => {
  const bad = file('bad.csv', 'street,house,lat,lon\nвул. Нова,1,48.5,35.0\nвул. Нова,,48.5,35.0\nвул. Нова,3,91,35\n');
  let err = '';
  assert.throws(() => {
    try { execFileSync(BIN, ['import', 'addresses', bad, '--db', db.url], { cwd: ROOT, env, stdio: 'pipe' }); }
    catch (e) { err = e.stderr.toString(); throw e; }
  });
  assert.match(err, /bad\.csv:3: house/);
  assert.match(err, /bad\.csv:4: lat and lon/);
  const header = file('header.csv', 'street;house\n');
  assert.throws(() => execFileSync(BIN, ['import', 'addresses', header, '--db', db.url], { cwd: ROOT, env, stdio: 'pipe' }));
  const count = db.query("SELECT count(*) FROM streets WHERE name = 'Нова'");
  assert.equal(count, '0');
});

test('«вул. Робоча», «робоча» and «РОБОЧА» find the street, with its centre', async () => {
  for (const q of ['вул. Робоча', 'робоча', 'РОБОЧА', 'вулиця Робоча', 'Робоча вул.', 'роб']) {
    const s = await suggest(q);
    assert.ok(s.length >= 1, q);
    assert.equal(s[0].street, 'Робоча', q);
    assert.equal(s[0].kind, 'street');
    assert.equal(s[0].house, null);
    assert.equal(s[0].label_uk, 'вул. Робоча');
    assert.equal(s[0].old_name, null);
    assert.equal(s[0].label_uk_old, null);
    assert.ok(Math.abs(s[0].lat - 48.4997) < 0.001 && Math.abs(s[0].lon - 35.0003) < 0.001, JSON.stringify(s[0]));
  }
});

test('«Робоча 12» lists house 12 first, then the houses starting with 12', async () => {
  const s = await suggest('Робоча 12');
  assert.deepEqual(s.map((x) => x.house), ['12', '12а', '120']);
  assert.equal(s[0].label_uk, 'вул. Робоча, 12');
  assert.equal(s[0].lat, 48.5);
  assert.equal(s[0].lon, 35);
  assert.equal(s[2].lat, null); // no coordinates known
  const t = await suggest('вул. Робоча, 12а');
  assert.equal(t[0].house, '12а');
  const u = await suggest('Робоча 5/7');
  assert.equal(u[0].house, '5/7');
  const v = await suggest('Брацлавська 3 корп. 2');
  assert.equal(v[0].house, '3 корп. 2');
  const w = await suggest('Робоча 77'); // unknown house: the street with it, no point
  assert.equal(w[0].label_uk, 'вул. Робоча, 77');
  assert.equal(w[0].lat, null);
});

test('an old name offers the new one, marked «(колишня …)»', async () => {
  const s = await suggest('Баглія');
  assert.equal(s[0].street, 'Брацлавська');
  assert.equal(s[0].old_name, 'Баглія');
  assert.equal(s[0].label_uk, 'вул. Брацлавська');
  assert.equal(s[0].label_uk_old, '(колишня вул. Баглія)');
  assert.equal(s[0].district, 'UA12020010010114149');
  const h = await suggest('вул. Баглія, 9');
  assert.equal(h[0].label_uk, 'вул. Брацлавська, 9');
  const lanes = await suggest('пров. Білостоцького');
  assert.equal(lanes[0].kind, 'lane');
  assert.equal(lanes[0].label_uk_old, '(колишній пров. Білостоцького)');
  assert.equal(lanes[1].kind, 'street');
});

test('small typos are tolerated, ranked after exact and prefix matches', async () => {
  assert.equal((await suggest('робча'))[0].street, 'Робоча');
  assert.equal((await suggest('Брацлавскьа'))[0].street, 'Брацлавська');
  assert.equal((await suggest('Багля'))[0].old_name, 'Баглія');
  assert.deepEqual(await suggest('рабача'), []);
});

test('apostrophes ʼ \' ’ ` and none are the same', async () => {
  for (const q of ['Граб\u02bcянки', "Граб'янки", 'Граб\u2019янки', 'Граб`янки', 'Грабянки']) {
    const s = await suggest(q);
    assert.equal(s[0]?.street, 'Григорія Граб\u2019янки', q);
  }
});

test('q must be 2–100 characters and limit 1–20 (400 with a field error)', async () => {
  for (const [qs, field] of [['', 'q'], ['?q=', 'q'], ['?q=a', 'q'], ['?q=%20a%20', 'q'],
    [`?q=${'я'.repeat(101)}`, 'q'], ['?q=робоча&limit=0', 'limit'], ['?q=робоча&limit=21', 'limit'],
    ['?q=робоча&limit=x', 'limit'], ['?q=%FF%FE', 'q']]) {
    const res = await call(srv.url, 'GET', `/api/v1/addresses${qs}`);
    const err = assertError(res, 400, 'invalid_query');
    assert.ok(err.fields?.[field], `${qs}: ${res.text}`);
  }
  assert.equal((await suggest('я'.repeat(100))).length, 0);
  assert.equal((await suggest('ро', '&limit=1')).length, 1);
  assert.ok((await suggest('Робоча 1', '&limit=20')).length <= 20);
  const en = await call(srv.url, 'GET', '/api/v1/addresses?q=a&lang=en');
  assert.match(en.body.error.message, /query/i);
});

test('nearest: a pin is described by the nearest known house within 300 m', async () => {
  const res = await call(srv.url, 'GET', '/api/v1/addresses/nearest?lat=48.50015&lon=35.0001');
  assert.equal(res.status, 200, res.text);
  assertSchema('AddressNearest', res.body);
  assert.equal(res.body.label_uk, 'вул. Робоча, 12а');
  assert.ok(res.body.distance_m < 20);
  assertError(await call(srv.url, 'GET', '/api/v1/addresses/nearest?lat=48.45&lon=35.05'), 404, 'address_not_found');
  assertError(await call(srv.url, 'GET', '/api/v1/addresses/nearest?lat=48.5'), 400, 'invalid_query');
  assertError(await call(srv.url, 'GET', '/api/v1/addresses/nearest?lat=abc&lon=35'), 400, 'invalid_query');
});
