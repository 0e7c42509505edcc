// GET /api/v1/queues/{queue}: rights per role, what each queue holds, the
// order (overdue first, then the nearest deadline), executor isolation,
// paging, no personal data, and the ETag that makes polling cheap.
// Appeals are filed through the API; their workflow state is then set with
// SQL (the actions that move them have their own tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';
import { start, call, post, assertError, assertSchema } from './helpers.mjs';

const HOUR = 3600 * 1000;
const ROLES = [
  ['opr', 'operator'], ['disp', 'dispatcher'], ['exv', 'executor', 'vodokanal'],
  ['ext', 'executor', 'teploenergo'], ['sup', 'supervisor'], ['ana', 'analyst'], ['adm', 'admin'],
];
const HEATING = { category: 'heating', type: 'no_heating' };

let srv;
const s = {}; // login -> session
const ids = {}; // login -> users.id

async function file(over = {}) {
  const res = await post(srv.url, validAppeal(over));
  assert.equal(res.status, 201, res.text);
  return res.body.number;
}

// Sets columns of an appeal (test setup only): values are SQL literals.
async function setAppeal(number, cols) {
  const set = Object.entries(cols).map(([k, v]) => `${k} = ${v}`).join(', ');
  await srv.sql(`UPDATE appeals SET ${set} WHERE number = '${number}'`);
}

const ms = (t) => Math.round(t);
const queue = (login, name, query = '') => s[login].call('GET', `/api/v1/queues/${name}${query}`);
const numbers = (res) => res.body.items.map((i) => i.number);

before(async () => {
  srv = await start();
  for (const [login, role, org] of ROLES) {
    const u = await addUser(srv, { login, role, org, name: `Test ${login}` });
    s[login] = await signIn(srv, u);
    ids[login] = Number(await srv.sql(`SELECT id FROM users WHERE login = '${login}'`));
  }
});
after(async () => { await srv?.stop(); });

test('no session: 401 auth_required for every queue', async () => {
  for (const q of ['triage', 'organisation', 'escalations', 'extensions', 'disputed', 'nope']) {
    assertError(await call(srv.url, 'GET', `/api/v1/queues/${q}`), 401, 'auth_required');
  }
});

test('rights per role and queue: 200 where the role has the right, 403 otherwise', async () => {
  const allowed = {
    triage: ['disp', 'sup'],
    organisation: ['disp', 'sup', 'exv', 'ext'],
    escalations: ['sup'], extensions: ['sup'], disputed: ['sup'],
  };
  for (const [q, who] of Object.entries(allowed)) {
    for (const [login] of ROLES) {
      const res = await queue(login, q, q === 'organisation' && !login.startsWith('ex') ? '?organisation=vodokanal' : '');
      if (who.includes(login)) {
        assert.equal(res.status, 200, `${login} ${q}: ${res.text}`);
        assertSchema('Queue', res.body);
        assert.equal(res.body.queue, q);
      } else {
        assertError(res, 403, 'forbidden');
      }
    }
  }
});

test('an unknown queue is 404 queue_not_found, in Ukrainian and English', async () => {
  const uk = assertError(await queue('sup', 'everything'), 404, 'queue_not_found');
  assert.match(uk.message, /черги/);
  const en = assertError(await s.sup.call('GET', '/api/v1/queues/everything', { headers: { 'Accept-Language': 'en' } }),
    404, 'queue_not_found');
  assert.match(en.message, /No such queue/);
});

test('organisation queue: executors get their own, never another organisation (403)', async () => {
  const water = await file();
  const heat = await file(HEATING);
  let res = await queue('exv', 'organisation');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.organisation.code, 'vodokanal');
  assert.ok(numbers(res).includes(water));
  assert.ok(!numbers(res).includes(heat), 'another organisation\'s appeal leaked into the queue');
  assert.equal((await queue('exv', 'organisation', '?organisation=vodokanal')).status, 200);
  assertError(await queue('exv', 'organisation', '?organisation=teploenergo'), 403, 'forbidden');
  res = await queue('ext', 'organisation');
  assert.ok(numbers(res).includes(heat) && !numbers(res).includes(water));
  // dispatchers and supervisors name the organisation
  res = await queue('disp', 'organisation', '?organisation=teploenergo');
  assert.ok(numbers(res).includes(heat));
  let err = assertError(await queue('disp', 'organisation'), 400, 'invalid_query');
  assert.equal(err.fields.organisation.code, 'required');
  err = assertError(await queue('sup', 'organisation', '?organisation=nobody'), 400, 'invalid_query');
  assert.equal(err.fields.organisation.code, 'invalid_value');
});

test('organisation queue: open appeals only, overdue first, then the nearest deadline', async () => {
  const now = Date.now();
  const [late, soon, accepted, later, done] = [await file(), await file(), await file(), await file(), await file()];
  await setAppeal(late, { status: "'assigned'", reaction_due_at: ms(now + 5 * HOUR), resolution_due_at: ms(now - HOUR) });
  await setAppeal(soon, { status: "'assigned'", reaction_due_at: ms(now + HOUR), resolution_due_at: ms(now + 20 * HOUR) });
  // accepted: the reaction deadline no longer counts, the resolution one does
  await setAppeal(accepted, { status: "'in_progress'", reacted_at: ms(now - HOUR), reaction_due_at: ms(now - 2 * HOUR), resolution_due_at: ms(now + 2 * HOUR) });
  await setAppeal(later, { status: "'registered'", reaction_due_at: ms(now + 30 * HOUR), resolution_due_at: ms(now + 40 * HOUR) });
  await setAppeal(done, { status: "'done'", done_at: ms(now), resolution_due_at: ms(now - 10 * HOUR), reaction_due_at: ms(now - 11 * HOUR) });
  // an unaccepted appeal whose reaction deadline passed is overdue too
  const unreacted = await file();
  await setAppeal(unreacted, { status: "'assigned'", reaction_due_at: ms(now - 30 * 60 * 1000), resolution_due_at: ms(now + 50 * HOUR) });
  const res = await queue('exv', 'organisation', '?limit=200');
  assert.equal(res.status, 200, res.text);
  assertSchema('Queue', res.body);
  const order = numbers(res).filter((n) => [late, soon, accepted, later, done, unreacted].includes(n));
  assert.deepEqual(order, [late, unreacted, soon, accepted, later]);
  const item = (n) => res.body.items.find((i) => i.number === n);
  assert.equal(item(late).resolution_overdue, true);
  assert.equal(item(unreacted).reaction_overdue, true);
  assert.equal(item(unreacted).reacted, false);
  assert.equal(item(accepted).reacted, true);
  assert.equal(Date.parse(item(accepted).next_deadline_at), now + 2 * HOUR);
  assert.equal(Date.parse(item(soon).next_deadline_at), now + HOUR);
  assert.ok(!numbers(res).includes(done), 'a done appeal is not open work');
  assert.equal(res.body.total, res.body.items.length);
});

test('queue items carry no personal data', async () => {
  const number = await file({ applicant: { name: 'Тарас Секретний', phone: '050 765 43 21', email: 'taras@example.com' } });
  const res = await queue('exv', 'organisation', '?limit=200');
  assert.ok(numbers(res).includes(number));
  for (const secret of ['Тарас', '765', 'taras@', 'applicant', 'description', 'Немає холодної води']) {
    assert.ok(!res.text.includes(secret), `queue answer contains ${secret}`);
  }
  assertSchema('Queue', res.body); // additionalProperties: false on every item
});

test('triage: contact-centre and returned registered appeals, and reopened ones', async () => {
  const [cc, returned, plain, reopened, ccAssigned] = [await file(), await file(), await file(), await file(), await file()];
  await setAppeal(cc, { status: "'registered'", organisation: "'contact_center'" });
  await setAppeal(returned, { status: "'registered'", flagged: 1 });
  await setAppeal(plain, { status: "'registered'", flagged: 0 });
  await setAppeal(reopened, { status: "'reopened'", reopen_count: 1 });
  await setAppeal(ccAssigned, { status: "'assigned'", organisation: "'contact_center'" });
  for (const login of ['disp', 'sup']) {
    const res = await queue(login, 'triage', '?limit=200');
    assert.equal(res.status, 200, res.text);
    assertSchema('Queue', res.body);
    const got = numbers(res);
    for (const n of [cc, returned, reopened]) assert.ok(got.includes(n), `${n} expected in triage`);
    for (const n of [plain, ccAssigned]) assert.ok(!got.includes(n), `${n} must not be in triage`);
    const r = res.body.items.find((i) => i.number === returned);
    assert.equal(r.flagged, true);
    assert.equal(res.body.items.find((i) => i.number === reopened).reopen_count, 1);
  }
});

test('escalations, extensions and disputed queues (supervisors)', async () => {
  const now = Date.now();
  const [esc, escDone, ext, disputed] = [await file(), await file(), await file(), await file()];
  await setAppeal(esc, { status: "'assigned'", escalated_at: ms(now - HOUR) });
  await setAppeal(escDone, { status: "'closed'", escalated_at: ms(now - HOUR) });
  await setAppeal(ext, { status: "'in_progress'", reacted_at: ms(now - HOUR) });
  await setAppeal(disputed, { status: "'reopened'", reopen_count: 2 });
  const appealId = await srv.sql(`SELECT id FROM appeals WHERE number = '${ext}'`);
  await srv.sql(`INSERT INTO extensions (appeal_id, requested_by, reason, old_due_at, new_due_at, status, created_at)
    VALUES (${appealId}, ${ids.exv}, 'Потрібна заміна труби', ${ms(now + HOUR)}, ${ms(now + 100 * HOUR)}, 'pending', ${ms(now)})`);
  let res = await queue('sup', 'escalations', '?limit=200');
  assertSchema('Queue', res.body);
  assert.ok(numbers(res).includes(esc) && !numbers(res).includes(escDone));
  assert.equal(Date.parse(res.body.items.find((i) => i.number === esc).escalated_at), now - HOUR);
  res = await queue('sup', 'extensions', '?limit=200');
  assertSchema('Queue', res.body);
  assert.deepEqual(numbers(res), [ext]);
  const x = res.body.items[0].extension;
  assert.equal(x.reason, 'Потрібна заміна труби');
  assert.equal(x.requested_by.login, 'exv');
  assert.equal(Date.parse(x.due_at), now + 100 * HOUR);
  // a decided request leaves the queue
  await srv.sql(`UPDATE extensions SET status = 'refused', decided_by = ${ids.sup}, decided_at = ${ms(now)}`);
  res = await queue('sup', 'extensions');
  assert.deepEqual(numbers(res), []);
  assert.equal(res.body.total, 0);
  res = await queue('sup', 'disputed', '?limit=200');
  assertSchema('Queue', res.body);
  assert.ok(numbers(res).includes(disputed));
  assert.ok(res.body.items.every((i) => i.status === 'reopened'));
});

test('paging: limit and offset, total is the whole queue; bad values are 400 naming the parameter', async () => {
  for (let i = 0; i < 3; i++) await file(HEATING);
  const all = await queue('ext', 'organisation', '?limit=200');
  assert.ok(all.body.total >= 3);
  const first = await queue('ext', 'organisation', '?limit=1');
  assert.equal(first.body.items.length, 1);
  assert.equal(first.body.limit, 1);
  assert.equal(first.body.total, all.body.total);
  const second = await queue('ext', 'organisation', '?limit=1&offset=1');
  assert.deepEqual(numbers(second), [numbers(all)[1]]);
  const past = await queue('ext', 'organisation', `?offset=${all.body.total}`);
  assert.deepEqual(past.body.items, []);
  assert.equal(past.body.total, all.body.total);
  for (const [q, field] of [['?limit=0', 'limit'], ['?limit=201', 'limit'], ['?limit=x', 'limit'], ['?offset=-1', 'offset']]) {
    const err = assertError(await queue('ext', 'organisation', q), 400, 'invalid_query');
    assert.ok(err.fields[field], `${q}: field ${field} expected`);
    assert.match(err.fields[field].message, new RegExp(field));
  }
});

test('ETag: an unchanged queue answers 304 without a body; a change shows at the next poll', async () => {
  const number = await file(HEATING);
  const first = await queue('ext', 'organisation', '?limit=200');
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const again = await s.ext.call('GET', '/api/v1/queues/organisation?limit=200', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal(again.headers.get('etag'), etag);
  // another page is another answer
  const other = await s.ext.call('GET', '/api/v1/queues/organisation?limit=1', { headers: { 'If-None-Match': etag } });
  assert.equal(other.status, 200);
  await setAppeal(number, { status: "'in_progress'", reacted_at: Date.now() });
  const changed = await s.ext.call('GET', '/api/v1/queues/organisation?limit=200', { headers: { 'If-None-Match': etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
  assert.equal(changed.body.items.find((i) => i.number === number).status, 'in_progress');
});
