// The known data of the public statistics and the open data (issue 6):
// appeals filed over HTTP (trial ones by a server started with
// KONTAKT_TRIAL=1), then moved to known days, places, organisations and
// outcomes by SQL. The figures below follow from it by hand.
//
// October 2026 (Kyiv calendar), the fixture's period:
//   30 water_supply / no_water, vodokanal, one a day from 1 to 30 October at
//      09:00 UTC; W[0..9] done on time, W[10..19] done late, W[20..29] open.
//      Districts: even i Соборний, odd i Центральний.
//   29 heating / no_heating, teploenergo, 1–29 October, open, Шевченківський.
//    1 garbage / not_collected at 2026-09-30T21:30Z = 1 October 00:30 Kyiv,
//      no district (in the period: the day is Kyiv's).
//   out of the period: garbage at 2026-09-30T20:30Z (30 September 23:30 Kyiv)
//      and at 2026-10-31T22:30Z (1 November 00:30 Kyiv).
//   trial (never public): 2 water_supply (October), 1 roads (October).
// So October has 60 appeals, 20 finished, on-time share 0.5; vodokanal has
// 30 (shown), teploenergo 29 (left out of the organisations).
// August 2026: BULK copies of W[0] (done on time, 2500 at one instant, to
// put a page boundary of the open data inside a tie) plus 100 trial copies.
import assert from 'node:assert/strict';
import { post } from '../http/helpers.mjs';
import { validAppeal } from './server.mjs';

export const PERIOD = { from: '2026-10-01', to: '2026-10-31' };
export const BULK = { from: '2026-08-01', to: '2026-08-31', rows: 4500, tied: 2500, trial: 100 };
export const D = {
  sobornyi: { code: 'UA12020010010512802', name_uk: 'Соборний' },
  tsentralnyi: { code: 'UA12020010010639502', name_uk: 'Центральний' },
  shevchenkivskyi: { code: 'UA12020010010816623', name_uk: 'Шевченківський' },
};
const HOUR = 3600 * 1000;
export const octNine = (day) => Date.UTC(2026, 9, day, 9); // 12:00 or 11:00 Kyiv

// The exact point of W[i] (the open data publishes only its grid square).
export const waterPoint = (i) => ({ lat: 48.4601 + i * 0.0011, lon: 35.0403 + i * 0.0017 });

async function file(srv, i, over = {}) {
  const res = await post(srv.url, validAppeal({
    description: `Секретний опис ${i}: вода не тече з самого ранку`,
    location: { lat: 48.4647, lon: 35.0462, address: `вул. Приватна, ${100 + i}` },
    applicant: { name: `Ганна Секретенко ${i}`, phone: `067 ${1230000 + i}`, email: `resident${i}@example.com` },
    ...over,
  }));
  assert.equal(res.status, 201, res.text);
  return res.body.number;
}

// Fills the database behind `srv` (a server already started on it) and
// `trialSrv` (started with KONTAKT_TRIAL=1 on the same database, stopped
// before srv starts) — see the top of this file. Returns the numbers.
export async function fileTrial(trialSrv) {
  const n = [];
  n.push(await file(trialSrv, 900));
  n.push(await file(trialSrv, 901));
  n.push(await file(trialSrv, 902, { category: 'roads', type: 'pothole' }));
  return n;
}

export async function fileFixture(srv, trialNumbers) {
  const water = [];
  const heating = [];
  const garbage = [];
  for (let i = 0; i < 30; i++) water.push(await file(srv, i));
  for (let i = 0; i < 29; i++) heating.push(await file(srv, 100 + i, { category: 'heating', type: 'no_heating' }));
  for (let i = 0; i < 3; i++) garbage.push(await file(srv, 200 + i, { category: 'garbage', type: 'not_collected' }));
  const sql = [];
  water.forEach((num, i) => {
    const t = octNine(i + 1);
    const p = waterPoint(i);
    const d = i % 2 ? D.tsentralnyi.code : D.sobornyi.code;
    const done = i < 10 ? t + 12.5 * HOUR : i < 20 ? t + 48 * HOUR : null;
    sql.push(`UPDATE appeals SET created_at = ${t}, updated_at = ${t}, organisation = 'vodokanal', district = '${d}',
      lat = ${p.lat}, lon = ${p.lon}, status = '${done ? 'done' : 'registered'}', done_at = ${done ?? 'NULL'},
      reaction_due_at = ${t + HOUR}, resolution_due_at = ${t + 24 * HOUR}, next_check_at = NULL WHERE number = '${num}'`);
  });
  heating.forEach((num, i) => {
    const t = octNine(i + 1);
    sql.push(`UPDATE appeals SET created_at = ${t}, updated_at = ${t}, organisation = 'teploenergo',
      district = '${D.shevchenkivskyi.code}', status = 'registered', reaction_due_at = ${t + HOUR},
      resolution_due_at = ${t + 24 * HOUR}, next_check_at = NULL WHERE number = '${num}'`);
  });
  const gTimes = [Date.UTC(2026, 8, 30, 21, 30), Date.UTC(2026, 8, 30, 20, 30), Date.UTC(2026, 9, 31, 22, 30)];
  garbage.forEach((num, i) => {
    const t = gTimes[i];
    sql.push(`UPDATE appeals SET created_at = ${t}, updated_at = ${t}, organisation = 'sanitation_service',
      district = NULL, status = 'registered', reaction_due_at = ${t + HOUR}, resolution_due_at = ${t + 24 * HOUR},
      next_check_at = NULL WHERE number = '${num}'`);
  });
  trialNumbers.forEach((num, i) => {
    const t = octNine(10 + i);
    sql.push(`UPDATE appeals SET created_at = ${t}, updated_at = ${t}, reaction_due_at = ${t + HOUR},
      resolution_due_at = ${t + 24 * HOUR}, next_check_at = NULL WHERE number = '${num}'`);
  });
  // August: copies of W[0], the first BULK.tied at one instant.
  const aug = Date.UTC(2026, 7, 10, 9);
  sql.push(`INSERT INTO appeals (number, year, seq, status, category, type, priority, organisation, channel,
      description, lat, lon, address, applicant_name, applicant_phone, applicant_email, tracking_hash, created_at,
      updated_at, reaction_due_at, resolution_due_at, done_at, district, trial)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BULK.rows + BULK.trial}),
      m(i, t) AS (SELECT i, CASE WHEN i <= ${BULK.tied} THEN ${aug} ELSE ${aug} + i * 60000 END FROM n)
    SELECT 'BULK-' || m.i, a.year, 800000 + m.i, a.status, a.category, a.type, a.priority, a.organisation,
      a.channel, a.description, a.lat, a.lon, a.address, a.applicant_name, a.applicant_phone, a.applicant_email,
      'bulkhash' || m.i, m.t, m.t, m.t + ${HOUR}, m.t + ${24 * HOUR}, m.t + ${12.5 * HOUR}, a.district,
      CASE WHEN m.i > ${BULK.rows} THEN 1 ELSE 0 END
    FROM m, appeals a WHERE a.number = '${water[0]}'`);
  await srv.sql(sql.join(';\n'));
  return { water, heating, garbage, trial: trialNumbers };
}

// Every personal or identifying value the fixture's appeals hold.
export async function secrets(srv) {
  const out = await srv.sql(`SELECT number, applicant_name, applicant_phone, applicant_email, description,
    address, tracking_hash FROM appeals WHERE number NOT LIKE 'BULK-%'`);
  const values = new Set();
  for (const line of out.split('\n')) for (const v of line.split('|')) if (v && v.length >= 6) values.add(v);
  return [...values];
}

// The centre of the open data's grid square holding v.
export const gridCentre = (v, step) => Math.round((Math.floor(v / step) + 0.5) * step * 10000) / 10000;
export const GRID = { lat: 0.0036, lon: 0.0054 };
