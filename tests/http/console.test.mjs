// The staff appeal card (GET /api/v1/staff/appeals/{number}) with its audit
// of personal-data views, the hotline console's caller history
// (GET /api/v1/callers/{phone}) and consultations (POST /api/v1/consultations):
// rights per role, executor isolation, content, validation (uk and en).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';
import { start, call, post, assertError, assertFieldError, assertSchema } from './helpers.mjs';

const HOUR = 3600 * 1000;
const ROLES = [
  ['opr', 'operator'], ['disp', 'dispatcher'], ['exv', 'executor', 'vodokanal'],
  ['ext', 'executor', 'teploenergo'], ['sup', 'supervisor'], ['ana', 'analyst'], ['adm', 'admin'],
];
const EN = { headers: { 'Accept-Language': 'en' } };

let srv;
const s = {};
const ids = {};
let water; // vodokanal
let heat; // teploenergo

async function file(over = {}) {
  const res = await post(srv.url, validAppeal(over));
  assert.equal(res.status, 201, res.text);
  return res.body.number;
}

const card = (login, number, opts) => s[login].call('GET', `/api/v1/staff/appeals/${number}`, opts);
const views = async (number, login) => Number(await srv.sql(
  `SELECT count(*) FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE a.number = '${number}'` +
  ` AND e.kind = 'personal_data_viewed' AND e.public = 0 AND e.actor = 'staff:${login}'`));

before(async () => {
  srv = await start();
  for (const [login, role, org] of ROLES) {
    const u = await addUser(srv, { login, role, org, name: `Test ${login}` });
    s[login] = await signIn(srv, u);
    ids[login] = Number(await srv.sql(`SELECT id FROM users WHERE login = '${login}'`));
  }
  water = await file();
  heat = await file({ category: 'heating', type: 'no_heating' });
});
after(async () => { await srv?.stop(); });

test('no session: 401 on every console and card route', async () => {
  assertError(await call(srv.url, 'GET', `/api/v1/staff/appeals/${water}`), 401, 'auth_required');
  assertError(await call(srv.url, 'GET', '/api/v1/callers/0671234567'), 401, 'auth_required');
  assertError(await call(srv.url, 'POST', '/api/v1/consultations', { json: { topic: 'Графік' } }), 401, 'auth_required');
});

test('appeal card: who may see it; executors only their organisation (404, existence does not leak)', async () => {
  for (const login of ['opr', 'disp', 'sup', 'exv']) {
    const res = await card(login, water);
    assert.equal(res.status, 200, `${login}: ${res.text}`);
    assertSchema('AppealStaff', res.body);
  }
  assertError(await card('ext', water), 404, 'appeal_not_found');
  assert.equal((await card('ext', heat)).status, 200);
  assertError(await card('exv', heat), 404, 'appeal_not_found');
  // the same answer as for a number that does not exist
  assertError(await card('exv', '2020-999999'), 404, 'appeal_not_found');
  for (const login of ['ana', 'adm']) assertError(await card(login, water), 403, 'forbidden');
  assertError(await card('disp', 'not-a-number'), 400, 'invalid_number');
});

test('appeal card: personal data, every event, links and extensions', async () => {
  const number = await file({ applicant: { name: 'Ірина Петренко', phone: '+38 (050) 111-22-33', email: 'iryna@example.com' } });
  const child = await file();
  const now = Date.now();
  const aid = await srv.sql(`SELECT id FROM appeals WHERE number = '${number}'`);
  await srv.sql(`UPDATE appeals SET parent_id = ${aid}, status = 'duplicate' WHERE number = '${child}'`);
  await srv.sql(`UPDATE appeals SET assignee_id = ${ids.exv}, status = 'in_progress', reacted_at = ${now}, flagged = 1, reopen_count = 1 WHERE id = ${aid}`);
  await srv.sql(`INSERT INTO appeal_events (appeal_id, at, kind, status, public, actor, note, data)
    VALUES (${aid}, ${now}, 'reclassified', 'in_progress', 0, 'staff:disp', 'Не та категорія', '{"old":{"type":"no_water"},"new":{"type":"low_pressure"}}')`);
  await srv.sql(`INSERT INTO extensions (appeal_id, requested_by, reason, old_due_at, new_due_at, status, decided_by, decision_note, created_at, decided_at)
    VALUES (${aid}, ${ids.exv}, 'Чекаємо на трубу', ${now}, ${now + 48 * HOUR}, 'refused', ${ids.sup}, 'Ні', ${now}, ${now + 1000})`);
  const res = await card('disp', number);
  assert.equal(res.status, 200, res.text);
  assertSchema('AppealStaff', res.body);
  const a = res.body;
  assert.deepEqual(a.applicant, { name: 'Ірина Петренко', phone: '+380501112233', email: 'iryna@example.com' });
  assert.equal(a.description, validAppeal().description);
  assert.equal(a.location.lat, validAppeal().location.lat); // exact, not rounded
  assert.equal(a.location.address, validAppeal().location.address);
  assert.deepEqual(a.assignee, { login: 'exv', name: 'Test exv' });
  assert.equal(a.done_by, null);
  assert.deepEqual(a.children, [child]);
  assert.equal(a.parent, null);
  assert.equal(a.flagged, true);
  assert.equal(a.reopen_count, 1);
  assert.equal(a.rating, null);
  assert.equal(a.events[0].kind, 'registered');
  assert.equal(a.events[0].public, true);
  const internal = a.events.find((e) => e.kind === 'reclassified');
  assert.equal(internal.public, false);
  assert.equal(internal.actor, 'staff:disp');
  assert.equal(internal.note, 'Не та категорія');
  assert.deepEqual(internal.data, { old: { type: 'no_water' }, new: { type: 'low_pressure' } });
  assert.equal(a.extensions.length, 1);
  assert.equal(a.extensions[0].status, 'refused');
  assert.deepEqual(a.extensions[0].requested_by, { login: 'exv', name: 'Test exv' });
  assert.deepEqual(a.extensions[0].decided_by, { login: 'sup', name: 'Test sup' });
  assert.equal(Date.parse(a.extensions[0].due_at), now + 48 * HOUR);
  const c = await card('disp', child);
  assert.equal(c.body.parent, number);
  // the public view still shows nothing personal
  const pub = await call(srv.url, 'GET', `/api/v1/appeals/${number}`);
  assert.ok(!pub.text.includes('Петренко') && !pub.text.includes('501112233'));
});

test('every card view is audited: an internal personal_data_viewed event per call', async () => {
  const number = await file();
  assert.equal(await views(number, 'opr'), 0);
  await card('opr', number);
  await card('opr', number);
  await card('sup', number);
  assert.equal(await views(number, 'opr'), 2);
  assert.equal(await views(number, 'sup'), 1);
  // refused views are not personal-data views
  await card('ext', number);
  await card('ana', number);
  assert.equal(await views(number, 'ext'), 0);
  assert.equal(await views(number, 'ana'), 0);
  // the applicant's timeline does not show them
  const events = (await card('sup', number)).body.events;
  assert.equal(events.filter((e) => e.kind === 'personal_data_viewed').length, 3);
  assert.ok(events.filter((e) => e.kind === 'personal_data_viewed').every((e) => !e.public));
});

test('allowed_actions follow the role, the organisation and the state', async () => {
  const number = await file();
  const now = Date.now();
  await srv.sql(`UPDATE appeals SET status = 'assigned', reacted_at = NULL WHERE number = '${number}'`);
  const actions = async (login) => (await card(login, number)).body.allowed_actions;
  assert.deepEqual(await actions('opr'), [], 'operators take no action on an existing appeal');
  const exv = await actions('exv');
  for (const a of ['accept', 'start', 'done', 'return']) assert.ok(exv.includes(a), `executor: ${a} in ${exv}`);
  for (const a of ['assign', 'reject', 'approve_extension', 'reopen']) assert.ok(!exv.includes(a), `executor: no ${a}`);
  const disp = await actions('disp');
  for (const a of ['assign', 'reject']) assert.ok(disp.includes(a), `dispatcher: ${a} in ${disp}`);
  for (const a of ['accept', 'done', 'approve_extension']) assert.ok(!disp.includes(a), `dispatcher: no ${a}`);
  // accepted: accept is not offered again
  await srv.sql(`UPDATE appeals SET reacted_at = ${now} WHERE number = '${number}'`);
  assert.ok(!(await actions('exv')).includes('accept'));
  // done: nothing for the executor; the supervisor may reopen
  await srv.sql(`UPDATE appeals SET status = 'done', done_at = ${now} WHERE number = '${number}'`);
  assert.deepEqual((await actions('exv')).filter((a) => ['accept', 'start', 'done', 'return'].includes(a)), []);
  assert.ok((await actions('sup')).includes('reopen'));
  // closed: nothing for anyone
  await srv.sql(`UPDATE appeals SET status = 'closed', closed_at = ${now} WHERE number = '${number}'`);
  for (const login of ['exv', 'disp', 'sup']) assert.deepEqual(await actions(login), [], login);
});

test('allowed_actions: one pending extension request at a time; supervisors decide it', async () => {
  const number = await file();
  const now = Date.now();
  await srv.sql(`UPDATE appeals SET status = 'in_progress', reacted_at = ${now} WHERE number = '${number}'`);
  const actions = async (login) => (await card(login, number)).body.allowed_actions;
  assert.ok((await actions('exv')).includes('request_extension'));
  assert.ok(!(await actions('sup')).includes('approve_extension'));
  const aid = await srv.sql(`SELECT id FROM appeals WHERE number = '${number}'`);
  await srv.sql(`INSERT INTO extensions (appeal_id, requested_by, reason, old_due_at, new_due_at, status, created_at)
    VALUES (${aid}, ${ids.exv}, 'Потрібен підрядник', ${now}, ${now + 72 * HOUR}, 'pending', ${now})`);
  assert.ok(!(await actions('exv')).includes('request_extension'));
  const sup = await actions('sup');
  assert.ok(sup.includes('approve_extension') && sup.includes('refuse_extension'), sup.join());
  const ext = (await card('sup', number)).body.extensions;
  assert.equal(ext[0].status, 'pending');
  assert.equal(ext[0].decided_by, null);
  assert.equal(ext[0].decided_at, null);
});

test('caller history: rights per role', async () => {
  for (const login of ['opr', 'disp', 'sup']) {
    const res = await s[login].call('GET', '/api/v1/callers/0671234567');
    assert.equal(res.status, 200, `${login}: ${res.text}`);
    assertSchema('CallerHistory', res.body);
  }
  for (const login of ['exv', 'ana', 'adm']) {
    assertError(await s[login].call('GET', '/api/v1/callers/0671234567'), 403, 'forbidden');
  }
});

test('caller history: appeals and consultations by the normalised number, newest first', async () => {
  const phone = '063 222 33 44';
  const first = await file({ applicant: { name: 'Андрій', phone } });
  const second = await file({ applicant: { name: 'Андрій', phone: '+380632223344' }, category: 'heating', type: 'no_heating' });
  await file({ applicant: { name: 'Хтось інший', phone: '063 222 33 45' } });
  let res = await s.opr.call('POST', '/api/v1/consultations', { json: { phone: '(063) 222-33-44', topic: 'Графік відключень', note: 'Пояснено графік' } });
  assert.equal(res.status, 201, res.text);
  assertSchema('ConsultationCreated', res.body);
  const stored = await srv.sql(`SELECT phone, topic, note, operator_id FROM consultations WHERE id = ${res.body.id}`);
  assert.equal(stored, `+380632223344|Графік відключень|Пояснено графік|${ids.opr}`);
  res = await s.disp.call('POST', '/api/v1/consultations', { json: { phone: '0632223344', topic: 'Тарифи' } });
  assert.equal(res.status, 201, res.text);
  // an anonymous caller: stored without a number
  res = await s.opr.call('POST', '/api/v1/consultations', { json: { topic: 'Анонімне питання' } });
  assert.equal(res.status, 201, res.text);
  assert.equal(await srv.sql(`SELECT coalesce(phone, 'none') FROM consultations WHERE id = ${res.body.id}`), 'none');
  for (const spelling of ['0632223344', '%2B380632223344', '%2B38%20(063)%20222-33-44']) {
    res = await s.sup.call('GET', `/api/v1/callers/${spelling}`);
    assert.equal(res.status, 200, `${spelling}: ${res.text}`);
    assertSchema('CallerHistory', res.body);
    assert.equal(res.body.phone, '+380632223344');
    assert.deepEqual(res.body.appeals.map((a) => a.number), [second, first]);
    assert.equal(res.body.appeals[0].category.code, 'heating');
    assert.deepEqual(res.body.consultations.map((k) => [k.topic, k.operator]), [['Тарифи', 'disp'], ['Графік відключень', 'opr']]);
    assert.equal(res.body.consultations[1].note, 'Пояснено графік');
  }
  // the request log names the route, never the number
  assert.ok(!srv.logs().includes('2223344'), 'a caller\'s number was logged');
});

test('caller history: at most 50 of each', async () => {
  const phone = '0991110000';
  for (let i = 0; i < 52; i++) {
    const res = await s.opr.call('POST', '/api/v1/consultations', { json: { phone, topic: `Питання ${i}` } });
    assert.equal(res.status, 201, res.text);
  }
  const res = await s.opr.call('GET', `/api/v1/callers/${phone}`);
  assert.equal(res.body.consultations.length, 50);
  assert.equal(res.body.consultations[0].topic, 'Питання 51');
});

test('caller history: a bad number is 422 naming phone, in Ukrainian and English', async () => {
  let err = assertFieldError(await s.opr.call('GET', '/api/v1/callers/12345'), 'phone', 'invalid_phone');
  assert.match(err.message, /Телефон/);
  err = assertFieldError(await s.opr.call('GET', '/api/v1/callers/12345', EN), 'phone', 'invalid_phone');
  assert.match(err.message, /^Phone/);
});

test('consultations: rights, CSRF and field errors (uk and en)', async () => {
  for (const login of ['exv', 'ana', 'adm']) {
    assertError(await s[login].call('POST', '/api/v1/consultations', { json: { topic: 'x' } }), 403, 'forbidden');
  }
  // the session cookie without the CSRF token
  assertError(await call(srv.url, 'POST', '/api/v1/consultations', { json: { topic: 'x' }, headers: { Cookie: s.opr.cookie } }),
    403, 'csrf_failed');
  const cases = [
    [{}, 'topic', 'required'],
    [{ topic: '   ' }, 'topic', ['too_short', 'required']],
    [{ topic: 'т'.repeat(201) }, 'topic', 'too_long'],
    [{ topic: 'Тема', note: 'н'.repeat(2001) }, 'note', 'too_long'],
    [{ topic: 'Тема', phone: '123' }, 'phone', 'invalid_phone'],
    [{ topic: 'Тема', phone: 380 }, 'phone', 'wrong_type'],
    [{ topic: 'Тема', caller: 'Іван' }, 'caller', 'unknown_field'],
  ];
  const before = await srv.sql('SELECT count(*) FROM consultations');
  for (const [json, field, codes] of cases) {
    const uk = assertFieldError(await s.opr.call('POST', '/api/v1/consultations', { json }), field, codes);
    assert.match(uk.message, /поле|Поле/);
    const en = assertFieldError(await s.opr.call('POST', '/api/v1/consultations', { json, ...EN }), field, codes);
    assert.match(en.message, /field|Field/);
  }
  assert.equal(await srv.sql('SELECT count(*) FROM consultations'), before, 'nothing stored');
  assertError(await s.opr.call('POST', '/api/v1/consultations', { body: '{"topic":', headers: { 'Content-Type': 'application/json' } }),
    400, 'invalid_json');
});
