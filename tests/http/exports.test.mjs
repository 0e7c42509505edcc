// Exports of the dashboard's views (docs/ANALYTICS.md, "Exports"): an XLSX
// workbook made by a job and read back with a real spreadsheet reader
// (Debian's python3-openpyxl, tests/lib/xlsx_read.py), the CSV streamed by
// the direct download, the direct workbook download (a parked request),
// rights, limits and errors. The fixture: appeals filed over HTTP, then
// moved into November 2026 with SQL, and the server restarted so that the
// statistics index loads them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { start, call, post, assertError, assertFieldError, assertSchema } from './helpers.mjs';
import { ROOT, freshDatabase, validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';

const HOUR = 3600 * 1000;
const BULK = 20000;
const db = freshDatabase();
let srv;
const s = {}; // sessions by role
const n = {}; // appeal numbers by name
const PERIOD = 'from=2026-11-01&to=2026-11-30';
const QUOTED = 'вул. "Нова", 5, кв. 1';
const FORMULA = '=HYPERLINK("http://evil","x")';
// Strings that must never appear in an export (the applicant's data, the description).
const PERSONAL = ['Олена Коваль', 'olena@example.com', '671234567', 'Немає холодної води'];

// Kyiv local midnight of a November 2026 day (UTC+2) plus hours.
const kyiv = (day, hours = 0) => Date.UTC(2026, 10, day, 0, 0, 0) - 2 * HOUR + hours * HOUR;

before(async () => {
  const first = await start({ db });
  const file = async (name, over = {}) => {
    const res = await post(first.url, validAppeal(over));
    assert.equal(res.status, 201, res.text);
    n[name] = res.body.number;
  };
  await file('quick', { location: { lat: 48.4647, lon: 35.0462, address: QUOTED } });
  await file('late', { category: 'heating', type: 'no_heating' });
  await file('formula', { location: { lat: 48.4647, lon: 35.0462, address: FORMULA } });
  await file('trial');
  await file('october');
  const set = (name, cols) => first.sql(`UPDATE appeals SET ${cols} WHERE number = '${n[name]}'`);
  // quick: 5 Nov 10:00 Kyiv, done in 3 h, on time, rated 5
  await set('quick', `status = 'closed', created_at = ${kyiv(5, 10)}, done_at = ${kyiv(5, 13)},
    closed_at = ${kyiv(5, 14)}, resolution_due_at = ${kyiv(6, 10)}, rating = 5, next_check_at = NULL`);
  // late: 10 Nov 08:00, done after 50 h, past its deadline, reopened once
  await set('late', `status = 'done', created_at = ${kyiv(10, 8)}, done_at = ${kyiv(10, 58)},
    resolution_due_at = ${kyiv(11, 8)}, reopen_count = 1, next_check_at = NULL`);
  // formula: 20 Nov 23:30 Kyiv (21:30 UTC), still open
  await set('formula', `status = 'assigned', created_at = ${kyiv(20, 23.5)}, resolution_due_at = ${kyiv(21, 23.5)},
    next_check_at = NULL`);
  await set('trial', `trial = 1, created_at = ${kyiv(12, 9)}, resolution_due_at = ${kyiv(13, 9)}, next_check_at = NULL`);
  await set('october', `created_at = ${kyiv(-15, 9)}, resolution_due_at = ${kyiv(-14, 9)}, next_check_at = NULL`);
  // 20,000 appeals in 2017 (nowhere near November 2026): an export of them
  // takes long enough for the limit test to find exports in progress; three
  // at a time share a registration instant, so pages end inside a tie
  const t2017 = Date.UTC(2017, 5, 1);
  await first.sql(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${BULK})
    INSERT INTO appeals (number, year, seq, status, category, type, priority, organisation, channel,
      description, lat, lon, address, applicant_name, applicant_phone, tracking_hash, created_at,
      updated_at, reaction_due_at, resolution_due_at)
    SELECT '2017-' || i, 2017, i, 'registered', 'water_supply', 'no_water', 'emergency', 'vodokanal', 'web',
      'масова', 48.46, 35.04, 'вул. Масова, ' || i, 'Н', '+380670000000', 'bulk-' || i, ${t2017} + (i / 3) * 60000,
      ${t2017}, ${t2017} + ${HOUR}, ${t2017} + ${24 * HOUR} FROM k`);
  await first.stop();
  srv = await start({ db });
  for (const role of ['operator', 'dispatcher', 'supervisor', 'analyst', 'admin'])
    s[role] = await signIn(srv, addUser(srv, { login: 'x-' + role, role }));
  s.analyst2 = await signIn(srv, addUser(srv, { login: 'x-analyst2', role: 'analyst' }));
  s.analyst3 = await signIn(srv, addUser(srv, { login: 'x-analyst3', role: 'analyst' }));
  s.executor = await signIn(srv, addUser(srv, { login: 'x-exec', role: 'executor', org: 'vodokanal' }));
});
after(async () => { await srv?.stop(); db.drop(); });

// Reads an XLSX (bytes) with tests/lib/xlsx_read.py under Debian's python3.
function readXlsx(bytes, maxRows = 100000) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kontakt-xlsx-'));
  try {
    const file = path.join(dir, 'e.xlsx');
    writeFileSync(file, bytes);
    const out = execFileSync('/usr/bin/python3', [path.join(ROOT, 'tests/lib/xlsx_read.py'), file, String(maxRows)],
      { maxBuffer: 64 << 20 });
    return JSON.parse(out.toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The body of a raw HTTP/1.1 chunked answer.
function dechunk(raw) {
  let i = raw.indexOf('\r\n\r\n') + 4;
  const parts = [];
  for (;;) {
    const eol = raw.indexOf('\r\n', i);
    const size = parseInt(raw.subarray(i, eol).toString(), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

const sheetOf = (book, title) => {
  const sh = book.sheets.find((x) => x.title === title);
  assert.ok(sh, `sheet ${title} in ${book.sheets.map((x) => x.title).join(', ')}`);
  return sh;
};

// The summary's value of a key (third column).
const summary = (book, key) => sheetOf(book, 'Зведення').rows.find((r) => r[2] === key)?.[1];

async function poll(session, id) {
  for (let i = 0; i < 200; i++) {
    const res = await session.call('GET', `/api/v1/stats/exports/${id}`);
    assert.equal(res.status, 200, res.text);
    assertSchema('Export', res.body);
    if (res.body.state === 'done' || res.body.state === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the export did not finish');
}

async function download(session, url) {
  const res = await fetch(srv.url + url, { headers: { Cookie: session.cookie } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

test('an XLSX export by job: progress, the file, the summary, the sections and the appeals', async () => {
  const made = await s.analyst.call('POST', '/api/v1/stats/exports',
    { json: { format: 'xlsx', query: PERIOD } });
  assert.equal(made.status, 202, made.text);
  assertSchema('Export', made.body);
  assert.match(made.body.id, /^[0-9a-f]{32}$/);
  assert.ok(['queued', 'running', 'done'].includes(made.body.state));
  assert.equal(made.body.progress_url, `/api/v1/stats/exports/${made.body.id}`);
  const done = await poll(s.analyst, made.body.id);
  assert.equal(done.state, 'done', JSON.stringify(done));
  assert.equal(done.rows_done, 3);
  assert.equal(done.rows_total, 3);
  assert.ok(done.bytes > 1000);
  assert.ok(Date.parse(done.finished_at) >= Date.parse(done.created_at));
  const { res, bytes } = await download(s.analyst, done.file_url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="kontakt-2026-11-01_2026-11-30.xlsx"');
  assert.equal(bytes.length, done.bytes);
  const book = readXlsx(bytes);
  assert.deepEqual(book.sheets.map((x) => x.title),
    ['Зведення', 'Категорії', 'Типи', 'Райони', 'Організації', 'Канали', 'Години', 'Динаміка',
      'Проблемні місця', 'Звернення']);
  // the summary: the period, the filters, the totals of the dashboard
  assert.equal(summary(book, 'from'), '2026-11-01T00:00:00');
  assert.equal(summary(book, 'to'), '2026-11-30T00:00:00');
  assert.equal(summary(book, 'category'), 'усі (all)');
  assert.equal(summary(book, 'include_trial'), 'не враховано (left out)');
  assert.equal(summary(book, 'appeals'), 3);
  assert.equal(summary(book, 'finished'), 2);
  assert.equal(summary(book, 'on_time_share'), 0.5);
  assert.equal(summary(book, 'reopen_share'), 0.5);
  assert.equal(summary(book, 'average_rating'), 5);
  assert.equal(summary(book, 'trial_left_out'), 1);
  assert.equal(summary(book, 'rows'), 3);
  // a section: the categories with their counts and shares
  const cats = sheetOf(book, 'Категорії').rows;
  assert.deepEqual(cats[0], ['Код (Code)', 'Категорія (Category)', 'Англійською (In English)', 'Звернень (Appeals)', 'Частка (Share)']);
  const water = cats.find((r) => r[0] === 'water_supply');
  assert.equal(water[1], 'Водопостачання');
  assert.equal(water[3], 2);
  assert.ok(Math.abs(water[4] - 2 / 3) < 1e-9, String(water[4]));
  assert.equal(cats.find((r) => r[0] === 'heating')[3], 1);
  assert.equal(sheetOf(book, 'Години').rows.length, 25, 'a header and 24 hours');
  assert.equal(sheetOf(book, 'Динаміка').rows.length, 31, 'a header and 30 days');
  // the appeals: no trial, none from October, in registration order, Kyiv times
  const rows = sheetOf(book, 'Звернення');
  assert.equal(rows.row_count, 4, 'a header and 3 appeals');
  assert.deepEqual(rows.rows.slice(1).map((r) => r[0]), [n.quick, n.late, n.formula]);
  const head = rows.rows[0];
  const col = (name) => head.findIndex((h) => h.startsWith(name));
  const quick = rows.rows[1];
  assert.equal(quick[col('Зареєстровано')], '2026-11-05T10:00:00');
  assert.equal(quick[col('Категорія (')], 'Водопостачання');
  assert.equal(quick[col('Код категорії')], 'water_supply');
  assert.equal(quick[col('Код типу')], 'no_water');
  assert.equal(quick[col('Годин до виконання')], 3);
  assert.equal(quick[col('Вчасно')], 'так');
  assert.equal(quick[col('Оцінка')], 5);
  assert.equal(quick[col('Адреса')], QUOTED);
  const late = rows.rows[2];
  assert.equal(late[col('Вчасно')], 'ні');
  assert.equal(late[col('Годин до виконання')], 50);
  assert.equal(late[col('Повернуто')], 1);
  assert.equal(rows.rows[3][col('Зареєстровано')], '2026-11-20T23:30:00', 'Kyiv time, not UTC');
  assert.equal(rows.rows[3][col('Вчасно')], null, 'not finished: no on-time mark');
  // nothing personal anywhere in the workbook
  const all = JSON.stringify(book);
  for (const p of PERSONAL) assert.ok(!all.includes(p), `the export holds ${p}`);
});

test('CSV by the direct download: BOM, header, Kyiv times, quoting, formula-safe cells, no personal data', async () => {
  const { res, bytes } = await download(s.supervisor, `/api/v1/stats/export.csv?${PERIOD}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="kontakt-2026-11-01_2026-11-30.csv"');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const lines = text.split('\r\n');
  assert.equal(lines.pop(), '', 'every row ends with CRLF');
  assert.equal(lines.length, 4, text);
  assert.ok(lines[0].startsWith('Номер (Number),Зареєстровано (Registered at),Категорія (Category),'), lines[0]);
  assert.ok(lines[1].startsWith(`${n.quick},2026-11-05 10:00,Водопостачання,water_supply,`), lines[1]);
  assert.ok(lines[1].endsWith(`,3,так,0,5,"вул. ""Нова"", 5, кв. 1"`), lines[1]);
  assert.ok(lines[3].endsWith(`,"'=HYPERLINK(""http://evil"",""x"")"`), lines[3]);
  for (const p of PERSONAL) assert.ok(!text.includes(p), `the export holds ${p}`);
  // a filter, and trial appeals only when asked for
  const water = await download(s.analyst, `/api/v1/stats/export.csv?${PERIOD}&category=water_supply`);
  assert.equal(water.bytes.toString('utf8').split('\r\n').length - 2, 2);
  const withTrial = await download(s.analyst, `/api/v1/stats/export.csv?${PERIOD}&include_trial=1`);
  const trialText = withTrial.bytes.toString('utf8');
  assert.equal(trialText.split('\r\n').length - 2, 4);
  assert.ok(trialText.includes(n.trial));
  assert.ok(!text.includes(n.trial));
});

test('CSV views of the dashboard: categories, problem points, hours, trend', async () => {
  const cats = await download(s.analyst, `/api/v1/stats/export.csv?${PERIOD}&view=categories`);
  assert.equal(cats.res.status, 200);
  assert.equal(cats.res.headers.get('content-disposition'),
    'attachment; filename="kontakt-categories-2026-11-01_2026-11-30.csv"');
  const lines = cats.bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], 'Код (Code),Категорія (Category),Англійською (In English),Звернень (Appeals),Частка (Share)');
  assert.ok(lines.includes('water_supply,Водопостачання,Water supply,2,0.6667') ||
    lines.some((l) => l.startsWith('water_supply,Водопостачання,') && l.endsWith(',2,0.6667')), lines.join('\n'));
  const problems = await download(s.analyst, `/api/v1/stats/export.csv?${PERIOD}&view=problems&min_repeats=2`);
  const pl = problems.bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(pl[0].split(',')[0], 'Вид (Kind)');
  // the two water appeals at one spot: an area; its district by name, its sample address formula-safe
  const area = pl.find((l) => l.startsWith('ділянка,water_supply,Водопостачання,'));
  assert.ok(area, pl.join('\n'));
  assert.ok(area.includes(`"'=HYPERLINK(""http://evil"",""x"")",Центральний,`) ||
    area.includes(`"вул. ""Нова"", 5, кв. 1",Центральний,`), area);
  assert.ok(area.endsWith(',2,2026-11-05,2026-11-20'), area);
  const hours = await download(s.analyst, `/api/v1/stats/export.csv?${PERIOD}&view=hours`);
  assert.equal(hours.bytes.toString('utf8').split('\r\n').length - 2, 24);
  const trend = await download(s.analyst, `/api/v1/stats/export.csv?${PERIOD}&view=trend`);
  const tl = trend.bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(tl.length - 2, 30);
  assert.ok(tl.includes('2026-11-05,1'), tl.join('|'));
});

test('a CSV export by job, and the direct XLSX download (the request waits for the job)', async () => {
  const made = await s.analyst.call('POST', '/api/v1/stats/exports',
    { json: { format: 'csv', view: 'appeals', query: `${PERIOD}&include_trial=1` } });
  assert.equal(made.status, 202, made.text);
  const done = await poll(s.analyst, made.body.id);
  assert.equal(done.state, 'done');
  assert.equal(done.rows_done, 4);
  const { res, bytes } = await download(s.analyst, done.file_url);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(bytes.toString('utf8').split('\r\n').length - 2, 4);

  const direct = await download(s.admin, `/api/v1/stats/export.xlsx?${PERIOD}&category=water_supply`);
  assert.equal(direct.res.status, 200);
  assert.equal(direct.res.headers.get('content-disposition'), 'attachment; filename="kontakt-2026-11-01_2026-11-30.xlsx"');
  const book = readXlsx(direct.bytes);
  assert.equal(sheetOf(book, 'Звернення').row_count, 3, 'a header and the 2 water appeals');
  assert.ok(summary(book, 'category').startsWith('Водопостачання (water_supply)'));
});

test('rights: no session 401, no reports right 403, someone else\'s export 404', async () => {
  const paths = ['/api/v1/stats/export.csv', '/api/v1/stats/export.xlsx', '/api/v1/stats/exports/0123456789abcdef0123456789abcdef'];
  for (const p of paths) {
    assertError(await call(srv.url, 'GET', p), 401, 'auth_required');
    for (const role of ['operator', 'dispatcher', 'executor'])
      assertError(await s[role].call('GET', p), 403, 'forbidden');
  }
  assertError(await call(srv.url, 'POST', '/api/v1/stats/exports', { json: { format: 'csv' } }), 401, 'auth_required');
  assertError(await s.executor.call('POST', '/api/v1/stats/exports', { json: { format: 'csv' } }), 403, 'forbidden');
  const made = await s.analyst.call('POST', '/api/v1/stats/exports', { json: { format: 'csv', view: 'categories', query: PERIOD } });
  assert.equal(made.status, 202, made.text);
  await poll(s.analyst, made.body.id);
  assertError(await s.supervisor.call('GET', `/api/v1/stats/exports/${made.body.id}`), 404, 'export_not_found');
  assertError(await s.supervisor.call('GET', `/api/v1/stats/exports/${made.body.id}/file`), 404, 'export_not_found');
  assertError(await s.analyst.call('GET', '/api/v1/stats/exports/nope/file'), 404, 'export_not_found');
});

test('bad input: format, view, query (422 in the body, 400 invalid_query in the URL)', async () => {
  const bad = async (json) => s.analyst.call('POST', '/api/v1/stats/exports', { json });
  assertFieldError(await bad({ format: 'pdf' }), 'format', 'invalid_value');
  assertFieldError(await bad({}), 'format', 'required');
  assertFieldError(await bad({ format: 'csv', view: 'faces' }), 'view', 'invalid_value');
  assertFieldError(await bad({ format: 'xlsx', view: 'hours' }), 'view', 'invalid_value');
  assertFieldError(await bad({ format: 'csv', extra: 1 }), 'extra', 'unknown_field');
  assertFieldError(await bad({ format: 'csv', query: 'from=2026-02-30' }), 'query.from', 'invalid_date');
  assertFieldError(await bad({ format: 'csv', query: 'category=nope' }), 'query.category', 'unknown_category');
  assertFieldError(await bad({ format: 'csv', query: 'from=%zz' }), 'query', 'invalid_value');
  // a name without "=" is an empty value (it once wrote into a string constant)
  assertFieldError(await bad({ format: 'csv', query: 'include_trial&from=2026-02-30' }), 'query.from', 'invalid_date');
  let res = await s.analyst.call('GET', '/api/v1/stats/export.csv?from=2026-13-01');
  assert.equal(assertError(res, 400, 'invalid_query').fields.from.code, 'invalid_date');
  res = await s.analyst.call('GET', '/api/v1/stats/export.xlsx?category=nope');
  assert.equal(assertError(res, 400, 'invalid_query').fields.category.code, 'unknown_category');
  res = await s.analyst.call('GET', '/api/v1/stats/export.csv?view=faces');
  assert.equal(assertError(res, 400, 'invalid_query').fields.view.code, 'invalid_value');
});

test('limits: at most two exports in progress per user (429 too_many_exports)', async () => {
  // 20,000 rows keep the first two busy long enough for the third to be refused
  const q = { format: 'xlsx', query: 'from=2017-01-01&to=2017-12-31' };
  const codes = [];
  const ids = [];
  for (let i = 0; i < 4; i++) {
    const r = await s.analyst2.call('POST', '/api/v1/stats/exports', { json: q });
    codes.push(r.status);
    if (r.status === 202) ids.push(r.body.id);
    else {
      assertError(r, 429, 'too_many_exports');
      assert.ok(r.headers.get('retry-after'));
    }
  }
  assert.ok(codes.includes(429), codes.join(','));
  for (const id of ids) {
    const done = await poll(s.analyst2, id);
    assert.equal(done.state, 'done');
    assert.equal(done.rows_done, BULK);
  }
  // once they are done, more may follow
  const again = await s.analyst2.call('POST', '/api/v1/stats/exports', { json: { format: 'csv', query: PERIOD } });
  assert.equal(again.status, 202, again.text);
  await poll(s.analyst2, again.body.id);
});

test('limits: at most eight exports wait in the queue (503 exports_busy)', async () => {
  // one long export runs; quick ones fill the queue; the tenth is refused
  const who = [s.analyst, s.analyst, s.analyst2, s.analyst2, s.analyst3, s.analyst3, s.supervisor,
    s.supervisor, s.admin, s.admin];
  const long = { format: 'xlsx', query: 'from=2017-01-01&to=2017-12-31' };
  const quick = { format: 'csv', view: 'categories', query: PERIOD };
  const answers = [];
  for (let i = 0; i < who.length; i++)
    answers.push(await who[i].call('POST', '/api/v1/stats/exports', { json: i === 0 ? long : quick }));
  const refused = answers.filter((r) => r.status !== 202);
  assert.equal(refused.length, 1, answers.map((r) => r.status).join(','));
  assertError(refused[0], 503, 'exports_busy');
  assert.equal(refused[0].headers.get('retry-after'), '60');
  assert.equal(answers[9], refused[0], 'the last one');
  for (let i = 0; i < 9; i++) assert.equal((await poll(who[i], answers[i].body.id)).state, 'done');
});

test('limits: at most four CSV downloads at once (503 exports_busy); a closed one frees its place', async () => {
  // four clients that ask for 20,000 rows (6 MB) and never read: the server
  // waits on full socket buffers, each download still in progress
  const target = '/api/v1/stats/export.csv?from=2017-01-01&to=2017-12-31';
  const socks = [];
  for (let i = 0; i < 4; i++) {
    const sock = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const first = new Promise((r) => sock.once('data', (d) => { sock.pause(); r(d.toString()); }));
    sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nCookie: ${s.analyst.cookie}\r\n\r\n`);
    assert.match(await first, /^HTTP\/1\.1 200/);
    socks.push(sock);
  }
  const busy = await s.analyst.call('GET', target);
  assertError(busy, 503, 'exports_busy');
  assert.equal(busy.headers.get('retry-after'), '10');
  for (const sock of socks) sock.destroy();
  let ok = null;
  for (let i = 0; i < 100 && !ok; i++) {
    const r = await fetch(srv.url + `/api/v1/stats/export.csv?${PERIOD}&view=hours`, { headers: { Cookie: s.analyst.cookie } });
    await r.arrayBuffer();
    if (r.status === 200) ok = r;
    else await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(ok, 'a place again once the clients have gone');
  // the whole of it, four pages: every appeal once, in registration order
  const all = await download(s.analyst, target);
  const lines = all.bytes.subarray(3).toString('utf8').split('\r\n').slice(1, -1);
  assert.equal(lines.length, BULK);
  const numbers = lines.map((l) => l.slice(0, l.indexOf(',')));
  assert.equal(new Set(numbers).size, BULK);
  const regs = lines.map((l) => l.split(',')[1]);
  assert.deepEqual([...regs].sort(), regs);
});

test('no idle cut: a CSV client that pauses past the idle timeout, a workbook that takes longer than it', async () => {
  // a second server on the same database with a 1 s idle timeout (the sessions are in the database)
  const short = await start({ db, env: { KONTAKT_TIMEOUT_S: '1' } });
  try {
    const sock = net.connect(short.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const chunks = [];
    sock.on('data', (d) => chunks.push(d));
    sock.write(`GET /api/v1/stats/export.csv?from=2017-01-01&to=2017-12-31 HTTP/1.1\r\nHost: x\r\n` +
      `Cookie: ${s.analyst.cookie}\r\nConnection: close\r\n\r\n`);
    await new Promise((r) => sock.once('data', r));
    sock.pause(); // the client stops reading for three idle timeouts
    await new Promise((r) => setTimeout(r, 3000));
    const ended = new Promise((r) => sock.once('end', r));
    sock.resume();
    await ended;
    const text = Buffer.concat(chunks).toString('utf8');
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.ok(text.endsWith('\r\n0\r\n\r\n'), 'the whole chunked answer: ' + text.slice(-80));
    const lines = dechunk(Buffer.concat(chunks)).toString('utf8').split('\r\n');
    assert.equal(lines.length - 2, BULK, 'every appeal');
    // the workbook of 20,000 appeals takes longer than 1 s here (ASan build): parked, not cut
    const res = await fetch(short.url + '/api/v1/stats/export.xlsx?from=2017-01-01&to=2017-12-31',
      { headers: { Cookie: s.analyst.cookie } });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.equal(readXlsx(bytes, 5).sheets.at(-1).row_count, BULK + 1);
  } finally {
    await short.stop();
  }
});

test('files are kept under the var directory with random names, and removed at start', async () => {
  const files = execFileSync('ls', [path.join(srv.varDir, 'exports')]).toString().trim().split('\n');
  assert.ok(files.length > 0);
  for (const f of files) assert.match(f, /^[0-9a-f]{32}\.(xlsx|csv)$/);
});

test('stopping the server: a parked export.xlsx is answered 503 not_ready, the files are removed', async () => {
  // two long exports ahead of it in the queue, so it is still waiting at the signal
  for (let i = 0; i < 2; i++) {
    const r = await s.analyst3.call('POST', '/api/v1/stats/exports',
      { json: { format: 'xlsx', query: 'from=2017-01-01&to=2017-12-31' } });
    assert.equal(r.status, 202, r.text);
  }
  const parked = fetch(srv.url + '/api/v1/stats/export.xlsx?from=2017-01-01&to=2017-12-31',
    { headers: { Cookie: s.supervisor.cookie } });
  await new Promise((r) => setTimeout(r, 200));
  const exited = new Promise((r) => srv.child.once('exit', (code) => r(code)));
  srv.child.kill('SIGTERM');
  const res = await parked;
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, 'not_ready');
  assert.equal(await exited, 0, srv.logs().slice(-2000));
  assert.deepEqual(execFileSync('ls', [path.join(srv.varDir, 'exports')]).toString().trim(), '');
  const bad = srv.logs().split('\n').filter((l) => /Sanitizer|runtime error/.test(l));
  assert.deepEqual(bad, [], srv.logs().slice(srv.logs().search(/Sanitizer|runtime error/) - 500, srv.logs().search(/Sanitizer|runtime error/) + 3000));
});
