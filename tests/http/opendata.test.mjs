// Open data (GET /api/v1/opendata/appeals.csv and .json) and the public
// statistics (GET /api/v1/stats/public) on the known fixture of
// tests/lib/publicfixture.mjs: no sign-in, the rows and figures the
// fixture implies, trial appeals never, nothing personal, the coarse
// place on its grid, the period's limits and errors, the rate limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, call, assertError, assertSchema } from './helpers.mjs';
import { freshDatabase } from '../lib/server.mjs';
import {
  PERIOD, BULK, D, GRID, octNine, waterPoint, gridCentre, fileTrial, fileFixture, secrets,
} from '../lib/publicfixture.mjs';

const db = freshDatabase();
let srv;
let fx;
let secretValues;

const TRICKY = '=Центральний, "старий"';
const COLUMNS = ['category', 'category_name', 'type', 'type_name', 'district', 'district_name', 'organisation',
  'organisation_name', 'channel', 'registered', 'done', 'status', 'on_time', 'lat', 'lon'];

// RFC 4180: fields quoted when needed, "" for a quote, CRLF between records.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    assert.ok(c !== '\n' && c !== '"', `bare ${JSON.stringify(c)} at ${i}`);
    field += c; i++;
  }
  assert.equal(field, '', 'the last record ends with CRLF');
  assert.equal(row.length, 0);
  return rows;
}

const q = (p) => `?from=${p.from}&to=${p.to}`;
const csvOf = async (p) => {
  const res = await call(srv.url, 'GET', '/api/v1/opendata/appeals.csv' + q(p));
  assert.equal(res.status, 200, res.text.slice(0, 300));
  const rows = parseCsv(res.text.replace(/^\uFEFF/, ''));
  const [head, ...body] = rows;
  assert.deepEqual(head, COLUMNS);
  return { res, rows: body.map((r) => Object.fromEntries(r.map((v, k) => [head[k], v]))) };
};
const jsonOf = async (p) => {
  const res = await call(srv.url, 'GET', '/api/v1/opendata/appeals.json' + q(p));
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.ok(Array.isArray(res.body), 'the answer parses as a JSON array');
  return { res, rows: res.body };
};

before(async () => {
  const trialSrv = await start({ db, env: { KONTAKT_TRIAL: '1' } });
  const trial = await fileTrial(trialSrv);
  await trialSrv.stop();
  const first = await start({ db });
  fx = await fileFixture(first, trial);
  secretValues = await secrets(first);
  // a name a spreadsheet would take for a formula, with a comma and quotes: the CSV must keep it text
  await first.sql(`UPDATE districts SET name_uk = '${TRICKY}' WHERE code = '${D.tsentralnyi.code}'`);
  await first.stop();
  srv = await start({ db }); // a fresh start: the statistics index loads the fixture as it is now
});
after(async () => {
  const code = await srv?.stop();
  db.drop();
  assert.equal(code, 0, 'the server stops cleanly (ASan finds no leak of abandoned streams)');
});

test('the CSV: no sign-in, UTF-8 with BOM, a header row, one row per non-trial appeal of the period, a dated attachment', async () => {
  const res = await fetch(srv.url + '/api/v1/opendata/appeals.csv' + q(PERIOD));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="kontakt-appeals-2026-10-01-2026-10-31.csv"');
  assert.ok(res.headers.get('x-request-id'));
  assert.equal(res.headers.get('set-cookie'), null);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM');
  const { rows } = await csvOf(PERIOD);
  assert.equal(rows.length, 60, '30 water + 29 heating + 1 garbage; trial and out-of-period ones left out');
  const count = (k, v) => rows.filter((r) => r[k] === v).length;
  assert.equal(count('category', 'water_supply'), 30);
  assert.equal(count('category', 'heating'), 29);
  assert.equal(count('category', 'garbage'), 1);
  assert.equal(count('category', 'roads'), 0, 'the trial roads appeal is not there');
  assert.equal(count('on_time', 'true'), 10);
  assert.equal(count('on_time', 'false'), 10);
  assert.equal(count('on_time', ''), 40);
  // ordered by registration
  const days = rows.map((r) => r.registered);
  assert.deepEqual(days, [...days].sort());
  for (const r of rows) assert.match(r.registered, /^2026-10-\d\d$/);
});

test('a known row: codes, Ukrainian names, Kyiv days, on time, the centre of its ~400 m square', async () => {
  const { rows } = await csvOf(PERIOD);
  // W[4]: registered 5 October 12:00 Kyiv, done 21:30 UTC = 6 October 00:30 Kyiv, before its deadline
  const w4 = rows.filter((r) => r.category === 'water_supply' && r.registered === '2026-10-05');
  assert.equal(w4.length, 1);
  const r = w4[0];
  assert.deepEqual({ ...r, lat: undefined, lon: undefined }, {
    category: 'water_supply', category_name: 'Водопостачання', type: 'no_water', type_name: 'Відсутнє водопостачання',
    district: D.sobornyi.code, district_name: D.sobornyi.name_uk, organisation: 'vodokanal',
    organisation_name: 'КП «Водоканал»', channel: 'web', registered: '2026-10-05', done: '2026-10-06',
    status: 'done', on_time: 'true', lat: undefined, lon: undefined,
  });
  const p = waterPoint(4);
  const lat = Number(r.lat);
  const lon = Number(r.lon);
  assert.equal(lat, gridCentre(p.lat, GRID.lat));
  assert.equal(lon, gridCentre(p.lon, GRID.lon));
  assert.notEqual(lat, p.lat);
  assert.notEqual(lon, p.lon);
  assert.ok(Math.abs(lat - p.lat) <= GRID.lat / 2 + 1e-9 && Math.abs(lon - p.lon) <= GRID.lon / 2 + 1e-9);
  // every row's place is a grid centre
  for (const x of rows) {
    for (const [k, step] of [['lat', GRID.lat], ['lon', GRID.lon]]) {
      const cells = Number(x[k]) / step - 0.5;
      assert.ok(Math.abs(cells - Math.round(cells)) < 1e-6, `${k} ${x[k]} is a centre of the grid`);
    }
  }
  // late (W[15]), open (W[25]), no district (garbage at 00:30 Kyiv on 1 October)
  const w15 = rows.find((x) => x.category === 'water_supply' && x.registered === '2026-10-16');
  assert.equal(w15.on_time, 'false');
  assert.equal(w15.done, '2026-10-18');
  assert.equal(w15.district, D.tsentralnyi.code);
  assert.equal(w15.district_name, "'" + TRICKY, 'quoted, quotes doubled, a formula turned into text');
  const w25 = rows.find((x) => x.category === 'water_supply' && x.registered === '2026-10-26');
  assert.deepEqual([w25.status, w25.done, w25.on_time], ['registered', '', '']);
  const g = rows.find((x) => x.category === 'garbage');
  assert.deepEqual([g.registered, g.district, g.district_name, g.organisation], ['2026-10-01', '', '', 'sanitation_service']);
});

test('nothing personal or identifying: no number, name, phone, email, description, address or exact point', async () => {
  const texts = [(await csvOf(PERIOD)).res.text, (await jsonOf(PERIOD)).res.text,
    (await csvOf(BULK)).res.text];
  assert.ok(secretValues.length > 300, `the fixture's values: ${secretValues.length}`);
  for (const t of texts) {
    for (const v of secretValues) assert.ok(!t.includes(v), `"${v}" must not be published`);
    for (const digits of ['1230004', '1230105']) assert.ok(!t.includes(digits), 'no phone digits');
    assert.ok(!/Секрет|Приватна|example\.com|T\d\d:\d\d/.test(t), 'no text, address, email or time of day');
    assert.ok(!t.includes(String(waterPoint(4).lat)), 'no exact point');
  }
});

test('the JSON: a valid array with the same rows as the CSV, nulls where the CSV is empty', async () => {
  const { res, rows } = await jsonOf(PERIOD);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="kontakt-appeals-2026-10-01-2026-10-31.json"');
  for (const r of rows) assertSchema('OpenDataAppeal', r);
  const csv = (await csvOf(PERIOD)).rows;
  assert.equal(rows.length, csv.length);
  const asCsv = (r) => Object.fromEntries(COLUMNS.map((k) => [k,
    r[k] === null ? '' : k === 'lat' || k === 'lon' ? Number(r[k]).toFixed(4)
      : /^[=+\-@]/.test(r[k]) ? "'" + r[k] : String(r[k])]));
  assert.deepEqual(rows.map(asCsv), csv);
  const w25 = rows.find((x) => x.category === 'water_supply' && x.registered === '2026-10-26');
  assert.equal(w25.done, null);
  assert.equal(w25.on_time, null);
  assert.equal(rows.find((x) => x.category === 'garbage').district, null);
  assert.equal(rows.find((x) => x.district === D.tsentralnyi.code).district_name, TRICKY, 'JSON keeps the name as it is');
  assert.equal(typeof rows[0].lat, 'number');
  // an empty period is an empty array
  const empty = await jsonOf({ from: '2025-01-01', to: '2025-01-31' });
  assert.deepEqual(empty.rows, []);
  const emptyCsv = await csvOf({ from: '2025-01-01', to: '2025-01-31' });
  assert.equal(emptyCsv.rows.length, 0);
});

test('thousands of rows over several pages, a page boundary inside equal instants: each once, trial never', async () => {
  const { rows } = await csvOf(BULK);
  assert.equal(rows.length, BULK.rows);
  const j = await jsonOf(BULK);
  assert.equal(j.rows.length, BULK.rows);
  assert.equal(rows.filter((r) => r.registered === '2026-08-10').length >= BULK.tied, true);
  // a client that leaves after the first chunk: the server frees the stream and goes on serving
  for (const kind of ['csv', 'json']) {
    const ctl = new AbortController();
    const res = await fetch(`${srv.url}/api/v1/opendata/appeals.${kind}${q(BULK)}`, { signal: ctl.signal });
    const reader = res.body.getReader();
    assert.ok((await reader.read()).value.length > 0);
    ctl.abort();
    await reader.read().catch(() => {});
  }
  assert.equal((await csvOf(BULK)).rows.length, BULK.rows);
  // the stored trial copies exist (the fixture is what it says)
  assert.equal(await srv.sql("SELECT COUNT(*) FROM appeals WHERE number LIKE 'BULK-%' AND trial = 1"), String(BULK.trial));
});

test('the period: default the last 30 days, at most 366 days, dates YYYY-MM-DD, errors name the field', async () => {
  const res = await call(srv.url, 'GET', '/api/v1/opendata/appeals.csv');
  assert.equal(res.status, 200);
  const [, from, to] = /filename="kontakt-appeals-(\d{4}-\d\d-\d\d)-(\d{4}-\d\d-\d\d)\.csv"/
    .exec(res.headers.get('content-disposition'));
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv' }).format(new Date());
  assert.equal(to, today);
  assert.equal((Date.parse(to) - Date.parse(from)) / 86400000, 29);
  // 366 days (a leap year) is allowed, 367 is not
  assert.equal((await call(srv.url, 'GET', '/api/v1/opendata/appeals.json?from=2024-01-01&to=2024-12-31')).status, 200);
  const bad = async (query, field, code) => {
    for (const kind of ['csv', 'json']) {
      const r = await call(srv.url, 'GET', `/api/v1/opendata/appeals.${kind}${query}`);
      const err = assertError(r, 400, 'invalid_query');
      assert.equal(err.fields?.[field]?.code, code, r.text);
      assert.match(err.fields[field].message, field === 'from' ? /Початок періоду/ : /Кінець періоду/);
      assert.equal(r.headers.get('content-disposition'), null);
    }
  };
  await bad('?from=2024-01-01&to=2025-01-01', 'to', 'period_too_long');
  await bad('?from=2026-02-30', 'from', 'invalid_date');
  await bad('?to=31.10.2026', 'to', 'invalid_date');
  await bad('?from=2026-10-01T00:00:00Z', 'from', 'invalid_date');
  await bad('?from=2026-11-01&to=2026-10-01', 'to', 'date_order');
  await bad(`?from=${'9'.repeat(5000)}`, 'from', 'invalid_date');
  // only `to`: the 30 days before it
  const only = await call(srv.url, 'GET', '/api/v1/opendata/appeals.csv?to=2026-10-31');
  assert.match(only.headers.get('content-disposition'), /kontakt-appeals-2026-10-02-2026-10-31\.csv/);
  // English messages on request
  const en = await call(srv.url, 'GET', '/api/v1/opendata/appeals.csv?from=2024-01-01&to=2025-06-01',
    { headers: { 'Accept-Language': 'en' } });
  assert.match(assertError(en, 400, 'invalid_query').fields.to.message, /Period end.*366/);
});

test('rate limited per client address like the other public routes', async () => {
  const limited = await start({ env: { KONTAKT_RATE_APPEALS: '2' } });
  try {
    for (let i = 0; i < 2; i++) assert.equal((await call(limited.url, 'GET', '/api/v1/opendata/appeals.csv')).status, 200);
    const r = await call(limited.url, 'GET', '/api/v1/opendata/appeals.json');
    assertError(r, 429, 'too_many_requests');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await limited.stop();
  }
});

// --- the public statistics on the same fixture ------------------------------------

const publicStats = async (p, headers = {}) => {
  const res = await call(srv.url, 'GET', '/api/v1/stats/public' + (p ? q(p) : ''), { headers });
  assert.equal(res.status, 200, res.text.slice(0, 300));
  return res;
};

test('public statistics: no sign-in, the fixture\'s totals and shares, trial never', async () => {
  const { body: s, headers } = await publicStats(PERIOD);
  assert.equal(headers.get('set-cookie'), null);
  assert.equal(s.from, PERIOD.from);
  assert.equal(s.to, PERIOD.to);
  assert.equal(s.group, 'day');
  assert.equal(s.appeals, 60);
  assert.equal(s.finished, 20);
  assert.equal(s.on_time_share, 0.5);
  assert.deepEqual(s.by_category.map((c) => [c.code, c.appeals]), [['water_supply', 30], ['heating', 29], ['garbage', 1]]);
  assert.equal(s.by_category[0].name_uk, 'Водопостачання');
  assert.equal(s.by_category[0].share, 0.5);
  assert.ok(Math.abs(s.by_category[1].share - 29 / 60) < 1e-9);
  const byDistrict = Object.fromEntries(s.by_district.map((d) => [d.code, d.appeals]));
  assert.deepEqual(byDistrict, { [D.shevchenkivskyi.code]: 29, [D.sobornyi.code]: 15, [D.tsentralnyi.code]: 15, null: 1 });
  assert.equal(s.trend.length, 31);
  assert.equal(s.trend.reduce((n, p) => n + p.appeals, 0), 60);
  assert.deepEqual(s.trend.slice(0, 1), [{ date: '2026-10-01', appeals: 3 }]);
  // August: the 4500 copies, the 100 trial ones left out
  const aug = (await publicStats(BULK)).body;
  assert.equal(aug.appeals, BULK.rows);
});

test('public statistics: an organisation with 29 appeals is left out, one with 30 is shown', async () => {
  const { body: s } = await publicStats(PERIOD);
  assert.equal(s.organisations_min_appeals, 30);
  assert.deepEqual(s.organisations.map((o) => o.code), ['vodokanal']);
  const [v] = s.organisations;
  assert.deepEqual([v.appeals, v.finished, v.on_time_share, v.name_uk], [30, 20, 0.5, 'КП «Водоканал»']);
  assert.ok(!JSON.stringify(s).includes('teploenergo'), 'teploenergo has 29: not named anywhere in the ranking');
});

test('public statistics: nothing personal, and bad periods name the field', async () => {
  const texts = [(await publicStats(PERIOD)).text, (await publicStats(BULK)).text];
  for (const t of texts) for (const v of secretValues) assert.ok(!t.includes(v), `"${v}" must not be published`);
  const r = await call(srv.url, 'GET', '/api/v1/stats/public?from=2026-02-30');
  assert.equal(assertError(r, 400, 'invalid_query').fields.from.code, 'invalid_date');
  const order = await call(srv.url, 'GET', '/api/v1/stats/public?from=2026-11-01&to=2026-10-01');
  assert.equal(assertError(order, 400, 'invalid_query').fields.to.code, 'date_order');
});

// Last: it breaks the appeals table on purpose.
test('a database failure midway cuts the download (no last chunk): never a whole-looking file', async () => {
  // June: 100,000 copies, far more than the socket buffers hold while the client waits
  const june = Date.UTC(2026, 5, 1, 9);
  await srv.sql(`INSERT INTO appeals (number, year, seq, status, category, type, priority, organisation, channel,
      description, lat, lon, address, applicant_name, applicant_phone, applicant_email, tracking_hash, created_at,
      updated_at, reaction_due_at, resolution_due_at, district, trial)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
    SELECT 'JUNE-' || n.i, a.year, 700000 + n.i, a.status, a.category, a.type, a.priority, a.organisation,
      a.channel, a.description, a.lat, a.lon, a.address, a.applicant_name, a.applicant_phone, a.applicant_email,
      'junehash' || n.i, ${june} + n.i * 1000, ${june}, a.reaction_due_at, a.resolution_due_at, a.district, 0
    FROM n, appeals a WHERE a.number = '${fx.water[0]}'`);
  const res = await fetch(`${srv.url}/api/v1/opendata/appeals.csv?from=2026-06-01&to=2026-06-30`);
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  let got = (await reader.read()).value.length;
  await new Promise((r) => setTimeout(r, 500)); // the server stalls on the full socket buffers
  await srv.sql('ALTER TABLE appeals DROP COLUMN channel');
  let error = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.length;
    }
  } catch (e) {
    error = e;
  }
  assert.ok(error, `the download must fail, not end cleanly after ${got} bytes`);
  assert.ok(got < 100000 * 150, `cut short: ${got} bytes`);
  assert.match(srv.logs(), /opendata: reading a page failed/);
});
