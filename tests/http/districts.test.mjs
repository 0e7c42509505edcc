// Districts and routing: `kontakt import districts FILE.geojson` into a
// fresh database, the district of appeals posted inside and outside,
// housing services routed to the district's building manager, bad GeoJSON
// refused with a clear message and nothing replaced, GET /api/v1/districts
// in both forms. Runs on SQLite and PostgreSQL (KONTAKT_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, freshDatabase, kontakt, validAppeal } from '../lib/server.mjs';
import { start, call, post, assertError, assertSchema } from './helpers.mjs';

const CENTRAL = 'UA12020010010639502'; // Центральний: routed to manager_tsentralnyi
const SAMARSKYI = 'UA12020010010475293'; // Самарський: manager_samarskyi
const square = (x0, y0, x1, y1) => ({
  type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});
const feature = (code, nameUk, geometry, extra = {}) => ({
  type: 'Feature', properties: { code, name_uk: nameUk, name_en: `${code} en`, ...extra }, geometry,
});
const collection = (...features) => ({ type: 'FeatureCollection', features });

const GOOD = collection(
  feature(CENTRAL, 'Центральний (тест)', square(35.00, 48.44, 35.05, 48.48), { approximate: true }),
  feature(SAMARSKYI, 'Самарський (тест)', {
    // a MultiPolygon: a square with a hole, and a second square
    type: 'MultiPolygon',
    coordinates: [
      [[[35.05, 48.44], [35.10, 48.44], [35.10, 48.48], [35.05, 48.48], [35.05, 48.44]],
        [[35.07, 48.45], [35.08, 48.45], [35.08, 48.46], [35.07, 48.46], [35.07, 48.45]]],
      [[[35.20, 48.50], [35.22, 48.50], [35.22, 48.52], [35.20, 48.52], [35.20, 48.50]]],
    ],
  }),
  feature('TEST-X', 'Тестовий', square(35.10, 48.44, 35.15, 48.48)),
);

let dir;
let db;
let srv;
const file = (name, value) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
const importDistricts = (p) =>
  spawnSync(BIN, ['import', 'districts', '--db', db.url, p], { cwd: ROOT, encoding: 'utf8' });
const storedDistricts = async () => (await srv.sql('SELECT code FROM districts ORDER BY code')).split('\n');
const at = (lat, lon, over = {}) => post(srv.url, validAppeal({
  category: 'housing_services', type: 'roof_leak', location: { lat, lon, address: 'вул. Тестова, 1' }, ...over,
}));

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kontakt-districts-'));
  db = freshDatabase();
  kontakt(['migrate', '--db', db.url]);
  const r = importDistricts(file('good.geojson', GOOD));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /districts loaded: 3/);
  srv = await start({ db });
});
after(async () => {
  await srv?.stop();
  db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('migrate loads the 8 districts of Dnipro when the database has none', () => {
  const other = freshDatabase();
  try {
    kontakt(['migrate', '--db', other.url]);
    assert.equal(other.query('SELECT count(*) FROM districts'), '8');
    assert.equal(other.query('SELECT count(*) FROM districts WHERE approximate = 1'), '8');
    assert.equal(other.query("SELECT count(*) FROM routing_rules WHERE category = 'housing_services'"), '8');
    kontakt(['migrate', '--db', other.url]); // again: nothing duplicated
    assert.equal(other.query('SELECT count(*) FROM districts'), '8');
  } finally {
    other.drop();
  }
});

test('an appeal inside a district gets it; housing services go to its building manager', async () => {
  const res = await at(48.46, 35.02);
  assert.equal(res.status, 201, res.text);
  assertSchema('AppealCreated', res.body);
  assert.deepEqual(res.body.district, { code: CENTRAL, name_uk: 'Центральний (тест)', name_en: `${CENTRAL} en` });
  assert.equal(res.body.organisation.code, 'manager_tsentralnyi');
  const row = await srv.sql(`SELECT district, organisation FROM appeals WHERE number = '${res.body.number}'`);
  assert.equal(row, `${CENTRAL}|manager_tsentralnyi`);
  const pub = await call(srv.url, 'GET', `/api/v1/appeals/${res.body.number}`);
  assertSchema('AppealPublic', pub.body);
  assert.equal(pub.body.district.code, CENTRAL);
  assert.equal(pub.body.organisation.code, 'manager_tsentralnyi');
  const token = res.body.tracking_token;
  const tr = await call(srv.url, 'GET', `/api/v1/track/${token}`);
  assertSchema('AppealTracking', tr.body);
  assert.equal(tr.body.district.name_uk, 'Центральний (тест)');
});

test('multipolygon and hole: the second polygon counts, the hole does not', async () => {
  const second = await at(48.51, 35.21);
  assert.equal(second.status, 201, second.text);
  assert.equal(second.body.district.code, SAMARSKYI);
  assert.equal(second.body.organisation.code, 'manager_samarskyi');
  const hole = await at(48.455, 35.075);
  assert.equal(hole.status, 201, hole.text);
  assert.equal(hole.body.district, null);
  assert.equal(hole.body.organisation.code, 'contact_center');
});

test('no routing rule for the district, another category, or no district: the catalogue decides', async () => {
  const custom = await at(48.46, 35.12);
  assert.equal(custom.body.district.code, 'TEST-X');
  assert.equal(custom.body.organisation.code, 'contact_center');
  const water = await post(srv.url, validAppeal({ location: { lat: 48.46, lon: 35.02 } }));
  assert.equal(water.status, 201, water.text);
  assert.equal(water.body.district.code, CENTRAL);
  assert.equal(water.body.organisation.code, 'vodokanal');
  const outside = await at(48.35, 34.80);
  assert.equal(outside.status, 201, outside.text);
  assertSchema('AppealCreated', outside.body);
  assert.equal(outside.body.district, null);
  assert.equal(outside.body.organisation.code, 'contact_center');
  const row = await srv.sql(`SELECT district IS NULL FROM appeals WHERE number = '${outside.body.number}'`);
  assert.match(row, /^(1|t)$/);
  const pub = await call(srv.url, 'GET', `/api/v1/appeals/${outside.body.number}`);
  assert.equal(pub.body.district, null);
});

test('GET /api/v1/districts: the list, and GeoJSON with ?geometry=1', async () => {
  const list = await call(srv.url, 'GET', '/api/v1/districts');
  assert.equal(list.status, 200, list.text);
  assert.match(list.headers.get('content-type'), /^application\/json/);
  assertSchema('Districts', list.body);
  assert.deepEqual(list.body.districts.map((d) => d.code).sort(), [CENTRAL, SAMARSKYI, 'TEST-X'].sort());
  const central = list.body.districts.find((d) => d.code === CENTRAL);
  assert.equal(central.approximate, true);
  assert.equal(list.body.districts.find((d) => d.code === 'TEST-X').approximate, false);
  assert.equal(central.geometry, undefined);
  const zero = await call(srv.url, 'GET', '/api/v1/districts?geometry=0');
  assert.deepEqual(zero.body, list.body);

  const geo = await call(srv.url, 'GET', '/api/v1/districts?geometry=1');
  assert.equal(geo.status, 200, geo.text);
  assert.match(geo.headers.get('content-type'), /^application\/geo\+json/);
  assertSchema('DistrictsGeoJSON', geo.body);
  assert.equal(geo.body.type, 'FeatureCollection');
  assert.equal(geo.body.features.length, 3);
  const sam = geo.body.features.find((f) => f.id === SAMARSKYI);
  assert.equal(sam.geometry.type, 'MultiPolygon');
  assert.deepEqual(sam.geometry, GOOD.features[1].geometry);
  assert.equal(sam.properties.name_uk, 'Самарський (тест)');

  assertError(await call(srv.url, 'GET', '/api/v1/districts?geometry=yes'), 400, 'invalid_query');
  assertError(await call(srv.url, 'POST', '/api/v1/districts'), 405, 'method_not_allowed');
});

test('bad GeoJSON is refused with the path of the mistake, and nothing is replaced', () => {
  const before = JSON.stringify(GOOD);
  const cases = [
    ['not json', '{"type": "FeatureCollection", ', /not valid JSON/],
    ['unclosed ring', collection(feature('A', 'А', {
      type: 'Polygon', coordinates: [[[35.0, 48.4], [35.1, 48.4], [35.1, 48.5], [35.0, 48.5]]],
    })), /features\[0\]\.geometry\.coordinates\[0\]: the ring is not closed/],
    ['duplicate code', collection(feature('A', 'А', square(35, 48.4, 35.1, 48.5)),
      feature('A', 'Б', square(35.1, 48.4, 35.2, 48.5))), /features\[1\]\.properties\.code: duplicate code 'A'/],
    ['no name', collection({ type: 'Feature', properties: { code: 'A' }, geometry: square(35, 48.4, 35.1, 48.5) }),
      /features\[0\]\.properties\.name_uk: missing/],
    ['latitude out of range', collection(feature('A', 'А', square(35, 48.4, 35.1, 91))),
      /features\[0\]\.geometry\.coordinates\[0\]\[2\]: latitude 91 out of range/],
    ['a point', collection(feature('A', 'А', { type: 'Point', coordinates: [35, 48.4] })),
      /features\[0\]\.geometry\.type: must be "Polygon" or "MultiPolygon"/],
    ['empty', collection(), /features: must be a non-empty array/],
  ];
  return (async () => {
    for (const [name, body, want] of cases) {
      const r = importDistricts(file(`bad-${name.replace(/\W/g, '-')}.geojson`, body));
      assert.equal(r.status, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, want, name);
      assert.match(r.stderr, /nothing was replaced/, name);
      assert.deepEqual(await storedDistricts(), [CENTRAL, SAMARSKYI, 'TEST-X'].sort(), name);
    }
    const missing = importDistricts(path.join(dir, 'no-such-file.geojson'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read/);
    const none = spawnSync(BIN, ['import', 'districts', '--db', db.url], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /name the file/);
    assert.equal(JSON.stringify(GOOD), before);
  })();
});

test('a new import replaces all districts; stored appeals keep theirs', async () => {
  const res = await at(48.46, 35.03);
  assert.equal(res.body.district.code, CENTRAL);
  const r = importDistricts(file('new.geojson', collection(feature('NEW', 'Новий', square(34.9, 48.4, 35.2, 48.5)))));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /districts loaded: 1/);
  assert.deepEqual(await storedDistricts(), ['NEW']);
  assert.equal(await srv.sql(`SELECT district FROM appeals WHERE number = '${res.body.number}'`), CENTRAL);
});
