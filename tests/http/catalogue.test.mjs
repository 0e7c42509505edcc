// GET /api/v1/categories and GET /api/v1/config: what the pages read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validAppeal } from '../lib/server.mjs';
import { start, call, assertSchema } from './helpers.mjs';

let srv;
before(async () => { srv = await start(); });
after(async () => { await srv?.stop(); });

const CODES = ['roads', 'traffic', 'parking_lots', 'parking_violations', 'transport', 'water_supply',
  'gas_supply', 'electricity_supply', 'sewerage', 'heating', 'elevators', 'housing_services',
  'street_lighting', 'stray_animals', 'trees', 'garbage', 'storm_drainage', 'fountains',
  'funeral_services', 'advertising'];
const DURATION = /^[1-9][0-9]*(h|d|mo)$/;

test('20 categories, each with its organisation and typed deadline rules', async () => {
  const res = await call(srv.url, 'GET', '/api/v1/categories');
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assertSchema('Categories', res.body);
  const cats = res.body.categories;
  assert.equal(cats.length, 20);
  assert.deepEqual(cats.map((c) => c.code).sort(), [...CODES].sort());
  // by share of appeals: water supply (30%), then sewerage (24%)
  assert.deepEqual(cats.slice(0, 2).map((c) => c.code), ['water_supply', 'sewerage']);
  for (const c of cats) {
    assert.ok(c.name_uk && c.name_en, c.code);
    assert.ok(c.organisation && c.organisation.code && c.organisation.name_uk && c.organisation.name_en, c.code);
    assert.ok(c.types.length >= 2, `${c.code} has types`);
    assert.equal(new Set(c.types.map((t) => t.code)).size, c.types.length, `${c.code}: type codes unique`);
    for (const t of c.types) {
      const where = `${c.code}/${t.code}`;
      assert.ok(t.code && t.name_uk && t.name_en, where);
      assert.ok(['emergency', 'urgent', 'normal'].includes(t.priority), `${where} priority ${t.priority}`);
      assert.match(t.reaction, DURATION, where);
      assert.match(t.resolution, DURATION, where);
      for (const k of ['alert_phone', 'hint_uk', 'hint_en']) assert.ok(k in t, `${where} has ${k}`);
    }
  }
});

test('the rules of the source: gas smell → call 104, no water 24 h, people trapped in an elevator 1 h', async () => {
  const cats = (await call(srv.url, 'GET', '/api/v1/categories')).body.categories;
  const type = (c, t) => cats.find((x) => x.code === c).types.find((x) => x.code === t);
  const gas = type('gas_supply', 'gas_smell');
  assert.equal(gas.alert_phone, '104');
  assert.equal(gas.priority, 'emergency');
  assert.equal(gas.resolution, '1h');
  assert.match(gas.hint_uk, /104/);
  assert.match(gas.hint_en, /104/);
  const water = type('water_supply', 'no_water');
  assert.equal(water.priority, 'emergency');
  assert.equal(water.reaction, '1h');
  assert.equal(water.resolution, '24h');
  assert.equal(water.alert_phone, null);
  const elevators = cats.find((x) => x.code === 'elevators');
  assert.ok(elevators.types.some((t) => t.priority === 'emergency' && t.resolution === '1h'),
    'elevators: people trapped is emergency 1 h');
  assert.ok(cats.find((x) => x.code === 'roads').types.some((t) => t.priority === 'normal' && t.resolution === '1mo'));
  // reaction defaults by priority (emergency 1 h, urgent 24 h, normal 3 days); never after the resolution
  const hours = (d) => parseInt(d, 10) * { h: 1, d: 24, mo: 24 * 28 }[d.replace(/^\d+/, '')];
  for (const c of cats) {
    for (const t of c.types) {
      assert.ok(hours(t.reaction) <= hours(t.resolution), `${c.code}/${t.code}: reaction ${t.reaction} > resolution ${t.resolution}`);
      assert.ok(hours(t.reaction) <= { emergency: 1, urgent: 24, normal: 72 }[t.priority],
        `${c.code}/${t.code}: reaction ${t.reaction} is slower than the ${t.priority} default`);
    }
  }
});

test('GET /api/v1/config', async () => {
  const res = await call(srv.url, 'GET', '/api/v1/config');
  assert.equal(res.status, 200, res.text);
  const c = res.body;
  assertSchema('Config', c);
  assert.equal(c.city.name_en, 'Dnipro');
  const [minLon, minLat, maxLon, maxLat] = c.city.bounds;
  assert.ok(minLon < maxLon && minLat < maxLat);
  assert.ok(c.city.center[0] > minLat && c.city.center[0] < maxLat, 'center lat inside bounds');
  assert.ok(c.city.center[1] > minLon && c.city.center[1] < maxLon, 'center lon inside bounds');
  assert.match(c.map.tile_url, /^https:\/\/.*\{z\}.*\{x\}.*\{y\}/);
  assert.deepEqual(c.limits, { description_min: 10, description_max: 4000, name_max: 200, address_max: 300, body_max: 16384 });
  assert.deepEqual(c.channels, ['web', 'mobile', 'phone', 'email', 'open311']);
  assert.equal(c.trial, false);
  assert.ok(c.hotline.phone);
  assert.deepEqual(c.emergency.map((e) => e.phone), ['101', '102', '103', '104']);
});

test('the city bounds and trial mode are configuration, and intake checks the configured bounds', async () => {
  // Kyiv instead of Dnipro
  const kyiv = await start({ env: { KONTAKT_CITY_BOUNDS: '30.23,50.21,30.83,50.59', KONTAKT_TRIAL: '1' } });
  try {
    const c = (await call(kyiv.url, 'GET', '/api/v1/config')).body;
    assert.deepEqual(c.city.bounds, [30.23, 50.21, 30.83, 50.59]);
    assert.equal(c.trial, true);
    const inKyiv = validAppeal({ location: { lat: 50.4501, lon: 30.5234 } });
    const ok = await call(kyiv.url, 'POST', '/api/v1/appeals', { json: inKyiv });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(await kyiv.sql(`SELECT trial FROM appeals WHERE number = '${ok.body.number}'`), '1');
    const dnipro = await call(kyiv.url, 'POST', '/api/v1/appeals', { json: validAppeal() });
    assert.equal(dnipro.status, 422, dnipro.text);
    assert.equal(dnipro.body.error.fields['location.lat'].code, 'out_of_bounds');
  } finally {
    await kyiv.stop();
  }
});
