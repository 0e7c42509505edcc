// Reports for supervisors and analysts: the violations register (JSON and
// CSV) and the scorecards, with rights. The violations are the sweeper's
// own: appeals filed over HTTP are moved into the past in the database,
// and a restarted server's first sweep (at start) finds them overdue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, call, post, assertError, assertSchema } from './helpers.mjs';
import { freshDatabase, validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';

const HOUR = 3600 * 1000;
const db = freshDatabase();
let srv;
const s = {}; // sessions by role
let late, quick, trial;

// A 400 invalid_query naming the parameter with a field code.
function queryFieldError(res, field, code) {
  const err = assertError(res, 400, 'invalid_query');
  assert.equal(err.fields?.[field]?.code, code, res.text);
}

async function until(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for ' + what);
}

before(async () => {
  let first = await start({ db });
  const file = async (over = {}) => {
    const res = await post(first.url, validAppeal(over));
    assert.equal(res.status, 201, res.text);
    return res.body.number;
  };
  late = await file();
  quick = await file();
  trial = await file();
  addUser(first, { login: 'exec-v', role: 'executor', org: 'vodokanal', name: 'Петро Виконавець' });
  const now = Date.now();
  const t0 = now - 48 * HOUR;
  // late: assigned to exec-v, both deadlines passed, never looked at
  await first.sql(`UPDATE appeals SET status = 'assigned', created_at = ${t0}, reaction_due_at = ${t0 + HOUR},
    resolution_due_at = ${t0 + 24 * HOUR}, next_check_at = ${t0 + HOUR},
    assignee_id = (SELECT id FROM users WHERE login = 'exec-v') WHERE number = '${late}'`);
  // quick: done in 3 hours, on time, rated 5
  await first.sql(`UPDATE appeals SET status = 'closed', created_at = ${t0}, reacted_at = ${t0 + 60000},
    done_at = ${t0 + 3 * HOUR}, closed_at = ${t0 + 4 * HOUR}, rating = 5, reaction_due_at = ${t0 + HOUR},
    resolution_due_at = ${t0 + 24 * HOUR}, next_check_at = NULL WHERE number = '${quick}'`);
  // trial: overdue too, but left out of the scorecards
  await first.sql(`UPDATE appeals SET trial = 1, created_at = ${t0}, reaction_due_at = ${t0 + HOUR},
    resolution_due_at = ${t0 + 24 * HOUR}, next_check_at = ${t0 + HOUR} WHERE number = '${trial}'`);
  await first.stop();
  srv = await start({ db });
  await until(async () => Number(await srv.sql('SELECT COUNT(*) FROM violations')) === 4, 'the sweep at start');
  // a note a spreadsheet would run as a formula, for the CSV test
  await srv.sql(`UPDATE violations SET note = '=HYPERLINK("http://evil","x"), ok' WHERE kind = 'reaction_missed'
    AND appeal_id = (SELECT id FROM appeals WHERE number = '${late}')`);
  for (const role of ['operator', 'dispatcher', 'supervisor', 'analyst', 'admin'])
    s[role] = await signIn(srv, addUser(srv, { login: 'r-' + role, role }));
  s.executor = await signIn(srv, addUser(srv, { login: 'r-exec', role: 'executor', org: 'vodokanal' }));
});
after(async () => { await srv?.stop(); db.drop(); });

test('reports need a session (401) and the reports right (403 for operator, dispatcher, executor)', async () => {
  for (const path of ['/api/v1/violations', '/api/v1/scorecards', '/api/v1/violations?format=csv']) {
    assertError(await call(srv.url, 'GET', path), 401, 'auth_required');
    for (const role of ['operator', 'dispatcher', 'executor'])
      assertError(await s[role].call('GET', path), 403, 'forbidden');
    for (const role of ['supervisor', 'analyst', 'admin'])
      assert.equal((await s[role].call('GET', path)).status, 200, `${role} ${path}`);
  }
});

test('the sweeper recorded each missed deadline once, against the organisation and the assignee', async () => {
  const res = await s.supervisor.call('GET', '/api/v1/violations');
  assert.equal(res.status, 200, res.text);
  assertSchema('ViolationList', res.body);
  assert.equal(res.body.total, 4);
  const mine = res.body.items.filter((v) => v.appeal === late);
  assert.deepEqual(mine.map((v) => v.kind).sort(), ['reaction_missed', 'resolution_missed']);
  for (const v of mine) {
    assert.equal(v.user, 'exec-v');
    assert.equal(v.organisation.code, 'vodokanal');
    assert.equal(v.organisation.name_uk, 'КП «Водоканал»');
    assert.ok(Math.abs(Date.parse(v.at) - Date.now()) < 60000, 'recorded at the sweep');
  }
  assert.equal(res.body.items.find((v) => v.appeal === trial).user, null);
  // escalated for the supervisors, with an internal event
  const esc = await srv.sql(`SELECT escalated_at IS NOT NULL FROM appeals WHERE number = '${late}'`);
  assert.ok(['1', 't'].includes(esc), esc);
  const ev = await srv.sql(`SELECT COUNT(*) FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
    WHERE a.number = '${late}' AND e.kind = 'escalated' AND e.public = 0`);
  assert.equal(ev, '1');
});

test('filters: kind, organisation, period, paging; bad values answer 400 naming the field', async () => {
  const get = async (q) => {
    const r = await s.analyst.call('GET', '/api/v1/violations' + q);
    assert.equal(r.status, 200, r.text);
    assertSchema('ViolationList', r.body);
    return r.body;
  };
  assert.equal((await get('?kind=reaction_missed')).total, 2);
  assert.ok((await get('?kind=reaction_missed')).items.every((v) => v.kind === 'reaction_missed'));
  assert.equal((await get('?organisation=vodokanal')).total, 4);
  assert.equal((await get('?organisation=teploenergo')).total, 0);
  const today = new Date(Date.now() + 3 * HOUR).toISOString().slice(0, 10); // Kyiv's date, near enough
  assert.equal((await get(`?from=2020-01-01&to=${today}`)).total, 4);
  assert.equal((await get('?to=2020-01-31')).total, 0);
  assert.equal((await get(`?from=${new Date(Date.now() + HOUR).toISOString()}`)).total, 0);
  const page = await get('?limit=3&offset=2');
  assert.equal(page.total, 4);
  assert.equal(page.items.length, 2);
  assert.equal(page.limit, 3);
  let bad = await s.analyst.call('GET', '/api/v1/violations?kind=late&limit=0&from=2026-02-30&format=xml');
  assertError(bad, 400, 'invalid_query');
  for (const f of ['kind', 'limit', 'from', 'format']) assert.ok(bad.body.error.fields[f], f);
  bad = await s.analyst.call('GET', '/api/v1/violations?from=2026-03-02&to=2026-03-01');
  queryFieldError(bad, 'to', 'date_order');
});

test('CSV: UTF-8 with a BOM, an attachment, a header row, formula-safe cells', async () => {
  const res = await fetch(srv.url + '/api/v1/violations?format=csv&limit=1', { headers: { Cookie: s.supervisor.cookie } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="violations-\d{4}-\d{2}-\d{2}\.csv"$/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const lines = text.split('\r\n');
  assert.equal(lines.pop(), '', 'every row ends with CRLF');
  assert.equal(lines[0], 'Звернення,Організація,Код організації,Порушення,Відповідальний,Коли (UTC),Примітка');
  assert.equal(lines.length, 5, 'the whole register, limit ignored');
  const row = lines.find((l) => l.startsWith(late) && l.includes('reaction_missed'));
  assert.ok(row, text);
  assert.ok(row.startsWith(`${late},КП «Водоканал»,vodokanal,reaction_missed,exec-v,`), row);
  assert.ok(row.endsWith(`,"'=HYPERLINK(""http://evil"",""x""), ok"`), row);
  const en = await fetch(srv.url + '/api/v1/violations?format=csv&kind=resolution_missed',
    { headers: { Cookie: s.supervisor.cookie, 'Accept-Language': 'en' } });
  const enLines = (await en.text()).replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(enLines[0], 'Appeal,Organisation,Organisation code,Violation,Responsible,When (UTC),Note');
  assert.equal(enLines.filter((l) => l.includes('resolution_missed')).length, 2);
});

test('scorecards: per organisation for the period, trial appeals left out, nulls when nothing to divide', async () => {
  const res = await s.supervisor.call('GET', '/api/v1/scorecards');
  assert.equal(res.status, 200, res.text);
  assertSchema('Scorecards', res.body);
  const to = Date.parse(res.body.to), from = Date.parse(res.body.from);
  assert.equal(to - from, 30 * 24 * HOUR, 'the last 30 days by default');
  const v = res.body.items.find((i) => i.organisation.code === 'vodokanal');
  assert.deepEqual(
    { appeals: v.appeals, on_time_share: v.on_time_share, overdue_now: v.overdue_now, median_hours_to_done: v.median_hours_to_done,
      reopen_share: v.reopen_share, average_rating: v.average_rating, violations: v.violations },
    { appeals: 2, on_time_share: 1, overdue_now: 1, median_hours_to_done: 3, reopen_share: 0, average_rating: 5, violations: 2 });
  const t = res.body.items.find((i) => i.organisation.code === 'teploenergo');
  assert.deepEqual([t.appeals, t.on_time_share, t.median_hours_to_done, t.average_rating], [0, null, null, null]);
  const old = await s.analyst.call('GET', '/api/v1/scorecards?from=2020-01-01&to=2020-12-31');
  assert.equal(old.status, 200);
  assertSchema('Scorecards', old.body);
  assert.equal(old.body.items.find((i) => i.organisation.code === 'vodokanal').appeals, 0);
  assert.equal(old.body.items.find((i) => i.organisation.code === 'vodokanal').overdue_now, 1, 'overdue now is now');
  const bad = await s.admin.call('GET', '/api/v1/scorecards?from=01.02.2026', { headers: { 'Accept-Language': 'en' } });
  queryFieldError(bad, 'from', 'invalid_date');
});
