// GET /api/v1/map: clusters at low zoom, appeals at high zoom, filters
// matching SQL counts, a new appeal at once, bad parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validAppeal } from '../lib/server.mjs';
import { start, call, post, assertError, assertSchema } from './helpers.mjs';

let srv;
const CITY = '34.80,48.30,35.30,48.62'; // more than the demo's whole spread
const get = (q) => call(srv.url, 'GET', `/api/v1/map?${q}`);
const sqlCount = async (where) => Number(await srv.sql(`SELECT count(*) FROM appeals WHERE ${where}`));

before(async () => { srv = await start({ demo: 3000 }); });
after(async () => { await srv?.stop(); });

function sumCounts(fc) {
  let n = 0;
  for (const f of fc.features) n += f.properties.kind === 'cluster' ? f.properties.count : 1;
  return n;
}

test('low zoom: clusters whose counts (and status counts) sum to the total', async () => {
  const res = await get(`bbox=${CITY}&zoom=11`);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^application\/geo\+json/);
  const fc = res.body;
  assertSchema('MapFeatureCollection', fc);
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.total, await sqlCount('1 = 1'));
  assert.equal(fc.clustered, true);
  assert.ok(fc.features.some((f) => f.properties.kind === 'cluster'));
  assert.ok(fc.features.length <= 2000);
  assert.equal(sumCounts(fc), fc.total);
  for (const f of fc.features.filter((x) => x.properties.kind === 'cluster')) {
    const by = Object.values(f.properties.by_status).reduce((a, b) => a + b, 0);
    assert.equal(by, f.properties.count);
  }
  // never personal data
  assert.doesNotMatch(res.text, /applicant|phone|description|address/);
});

test('high zoom: individual appeals with number, category, status, 4-decimal coordinates', async () => {
  const res = await get('bbox=35.03,48.455,35.06,48.475&zoom=17');
  assert.equal(res.status, 200, res.text);
  const fc = res.body;
  assert.equal(fc.clustered, false);
  assert.ok(fc.features.length > 0, 'the demo has appeals in the centre');
  const where = 'lon >= 35.03 AND lon <= 35.06 AND lat >= 48.455 AND lat <= 48.475';
  assert.equal(fc.total, await sqlCount(where));
  const f = fc.features[0];
  assert.equal(f.properties.kind, 'appeal');
  assert.match(f.properties.number, /^\d{4}-\d{6,}$/);
  for (const c of f.geometry.coordinates) assert.ok(Math.abs(c * 1e4 - Math.round(c * 1e4)) < 1e-6);
  const row = await srv.sql(`SELECT category, status FROM appeals WHERE number = '${f.properties.number}'`);
  assert.equal(row, `${f.properties.category}|${f.properties.status}`);
});

test('filters change the counts as SQL counts them', async () => {
  const [cat] = (await srv.sql('SELECT category FROM appeals GROUP BY category ORDER BY count(*) DESC LIMIT 2')).split('\n');
  let res = await get(`bbox=${CITY}&zoom=11&category=${cat}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.total, await sqlCount(`category = '${cat}'`));
  assert.equal(sumCounts(res.body), res.body.total);
  res = await get(`bbox=${CITY}&zoom=11&status=registered,closed`);
  assert.equal(res.body.total, await sqlCount("status IN ('registered', 'closed')"));
  for (const f of res.body.features) {
    if (f.properties.kind === 'cluster') {
      assert.deepEqual(Object.keys(f.properties.by_status).filter((s) => !['registered', 'closed'].includes(s)), []);
    }
  }
  // A period in Kyiv days: from the 10th to the 3rd last day.
  const day = (offset) => new Date(Date.now() - offset * 86400000).toLocaleDateString('en-CA', { timeZone: 'Europe/Kyiv' });
  const from = day(10), to = day(3);
  const kyivMidnight = (d) => { // the instant 00:00 Kyiv of the date d
    for (const h of [2, 3]) {
      const t = Date.parse(`${d}T00:00:00Z`) - h * 3600000;
      const s = new Date(t).toLocaleString('en-GB', { timeZone: 'Europe/Kyiv', hour12: false });
      if (s.endsWith('00:00:00')) return t;
    }
    throw new Error('no midnight');
  };
  const next = new Date(Date.parse(`${to}T12:00:00Z`) + 86400000).toISOString().slice(0, 10);
  res = await get(`bbox=${CITY}&zoom=11&from=${from}&to=${to}`);
  assert.equal(res.status, 200, res.text);
  const want = await sqlCount(`created_at >= ${kyivMidnight(from)} AND created_at < ${kyivMidnight(next)}`);
  assert.ok(want > 0);
  assert.equal(res.body.total, want);
  // a district no appeal has: nothing
  res = await get(`bbox=${CITY}&zoom=11&district=UA12020000000000000`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.total, 0);
  assert.deepEqual(res.body.features, []);
});

test('a new appeal is on the map at once', async () => {
  const bbox = '35.1200,48.5200,35.1210,48.5210';
  const before = await get(`bbox=${bbox}&zoom=18`);
  const created = await post(srv.url, validAppeal({ location: { lat: 48.52051, lon: 35.12049 } }));
  assert.equal(created.status, 201, created.text);
  const res = await get(`bbox=${bbox}&zoom=18`);
  assert.equal(res.body.total, before.body.total + 1);
  const f = res.body.features.find((x) => x.properties.number === created.body.number);
  assert.ok(f, res.text);
  assert.deepEqual(f.geometry.coordinates, [35.1205, 48.5205]);
  assert.equal(f.properties.status, 'assigned');
  assert.equal(f.properties.category, 'water_supply');
});

test('bad parameters: 400 invalid_query with a field error for each', async () => {
  const cases = [
    ['zoom=11', 'bbox', 'required'],
    ['bbox=1,2,3&zoom=11', 'bbox', 'invalid_bbox'],
    ['bbox=35,48,34,49&zoom=11', 'bbox', 'invalid_bbox'],
    ['bbox=35,48,x,49&zoom=11', 'bbox', 'invalid_bbox'],
    ['bbox=-200,48,35,49&zoom=11', 'bbox', 'invalid_bbox'],
    ['bbox=-100,-80,100,80&zoom=2', 'bbox', 'invalid_bbox'],
    [`bbox=${CITY}`, 'zoom', 'required'],
    [`bbox=${CITY}&zoom=21`, 'zoom', 'invalid_value'],
    [`bbox=${CITY}&zoom=1.5`, 'zoom', 'invalid_value'],
    [`bbox=${CITY}&zoom=11&category=nope`, 'category', 'unknown_category'],
    [`bbox=${CITY}&zoom=11&category=water_supply,,x`, 'category', 'invalid_value'],
    [`bbox=${CITY}&zoom=11&status=open`, 'status', 'unknown_status'],
    [`bbox=${CITY}&zoom=11&from=2026-02-30`, 'from', 'invalid_date'],
    [`bbox=${CITY}&zoom=11&to=26-01-01`, 'to', 'invalid_date'],
    [`bbox=${CITY}&zoom=11&from=2026-03-02&to=2026-03-01`, 'to', 'date_order'],
    [`bbox=${CITY}&zoom=11&district=${encodeURIComponent("x' OR 1=1")}`, 'district', 'invalid_value'],
    [`bbox=${CITY}&zoom=11&category=${'a'.repeat(3000)}`, 'category', 'too_long'],
  ];
  for (const [q, field, code] of cases) {
    const res = await get(q);
    const err = assertError(res, 400, 'invalid_query');
    assert.ok(err.fields && err.fields[field], `${q}: ${res.text}`);
    assert.equal(err.fields[field].code, code, `${q}: ${res.text}`);
  }
  // English messages too
  const res = await call(srv.url, 'GET', '/api/v1/map?zoom=99', { headers: { 'Accept-Language': 'en' } });
  const err = assertError(res, 400, 'invalid_query');
  assert.match(err.fields.bbox.message, /Map area/);
});

test('an appeal written by another server sharing the database appears within seconds', async () => {
  const bbox = '35.1300,48.5300,35.1310,48.5310';
  assert.equal((await get(`bbox=${bbox}&zoom=18`)).body.total, 0);
  const org = await srv.sql('SELECT organisation FROM appeals LIMIT 1');
  const now = Date.now();
  const year = new Date(now).getUTCFullYear();
  await srv.sql("INSERT INTO appeals (number, year, seq, status, category, type, priority, organisation, channel," +
    ' description, lat, lon, applicant_name, applicant_phone, tracking_hash, created_at, updated_at,' +
    ` reaction_due_at, resolution_due_at) VALUES ('${year}-900001', ${year}, 900001, 'in_progress', 'roads',` +
    ` 'pothole', 'normal', '${org}', 'web', 'Written by another server', 48.5305, 35.1305, 'X', '+380671234567',` +
    ` '${'e'.repeat(64)}', ${now}, ${now}, ${now + 86400000}, ${now + 2 * 86400000})`);
  let fc;
  for (let i = 0; i < 40; i++) { // the refresh runs every 5 s
    fc = (await get(`bbox=${bbox}&zoom=18`)).body;
    if (fc.total) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(fc.total, 1);
  assert.deepEqual(fc.features[0].properties, { kind: 'appeal', number: `${year}-900001`, category: 'roads', status: 'in_progress' });
});
