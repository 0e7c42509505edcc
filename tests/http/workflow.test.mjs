// The staff workflow through POST /api/v1/appeals/{number}/actions and the
// applicant's POST /api/v1/track/{token}/actions: rights (every action ×
// every role), states (409), visibility (404 for another organisation),
// each action's effect, events (public vs internal), violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, call, assertError, assertFieldError, assertSchema } from './helpers.mjs';
import { validAppeal } from '../lib/server.mjs';
import { staffOfEveryRole, addUser, signIn } from '../lib/staff.mjs';

let srv, staff, otherExec;
before(async () => {
  srv = await start();
  staff = await staffOfEveryRole(srv, 'vodokanal', 'wf');
  otherExec = await signIn(srv, addUser(srv, { login: 'wf-teplo', role: 'executor', org: 'teploenergo' }));
});
after(async () => { await srv.stop(); });

const ACTIONS = ['assign', 'reclassify', 'reject', 'forward', 'merge', 'accept', 'start', 'done', 'return',
  'request_extension', 'approve_extension', 'refuse_extension', 'reopen'];
const ALLOWED = {
  operator: [], analyst: [], admin: [],
  dispatcher: ['assign', 'reclassify', 'reject', 'forward', 'merge'],
  executor: ['accept', 'start', 'done', 'return', 'request_extension'],
  supervisor: ['assign', 'reclassify', 'approve_extension', 'refuse_extension', 'reopen'],
};
const BODY = {
  assign: { organisation: 'vodokanal' }, reclassify: { category: 'water_supply', type: 'low_pressure', reason: 'Тиск є, але слабкий' },
  reject: { reason: 'Не стосується міських служб' }, forward: { reason: 'Це питання обласної адміністрації' },
  merge: { parent: '2000-000001' }, done: { comment: 'Виконано ремонт' }, return: { reason: 'Не наша ділянка' },
  request_extension: { reason: 'Чекаємо на деталь', due_at: new Date(Date.now() + 10 * 86400000).toISOString() },
};

async function newAppeal(over = {}) {
  const r = await staff.operator.call('POST', '/api/v1/appeals', { json: validAppeal({ channel: 'phone', ...over }) });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
const act = (s, number, action, extra = {}) =>
  s.call('POST', `/api/v1/appeals/${number}/actions`, { json: { action, ...(BODY[action] || {}), ...extra } });
const track = (token, body) => call(srv.url, 'POST', `/api/v1/track/${token}/actions`, { json: body });
const events = async (number) => (await srv.sql(
  `SELECT e.kind || ':' || e.public || ':' || e.actor FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE a.number = '${number}' ORDER BY e.id`)).trim().split('\n');

test('the permission matrix: every action × every role is either allowed or 403 (states aside)', async () => {
  const a = await newAppeal(); // assigned to vodokanal: visible to every appeal-viewing role
  for (const [role, s] of Object.entries(staff)) {
    for (const action of ACTIONS) {
      const r = await act(s, a.number, action);
      if (!['operator', 'dispatcher', 'executor', 'supervisor'].includes(role)) {
        // roles that cannot see appeals at all learn nothing
        assertError(r, 404, 'appeal_not_found');
      } else if (ALLOWED[role].includes(action)) {
        assert.notEqual(r.status, 403, `${role} ${action}: ${r.text}`);
        assert.ok([200, 409, 422].includes(r.status), `${role} ${action}: ${r.status} ${r.text}`);
      } else {
        assertError(r, 403, 'forbidden');
      }
    }
  }
});

test('without a session 401, without the CSRF header 403; an unknown action or missing field 422', async () => {
  const a = await newAppeal();
  assertError(await call(srv.url, 'POST', `/api/v1/appeals/${a.number}/actions`, { json: { action: 'accept' } }), 401, 'auth_required');
  assertError(await staff.executor.call('POST', `/api/v1/appeals/${a.number}/actions`, { json: { action: 'accept' }, headers: { 'X-CSRF-Token': 'nope' } }), 403, 'csrf_failed');
  assertFieldError(await act(staff.executor, a.number, 'fly'), 'action', ['unknown_action']);
  assertFieldError(await act(staff.executor, a.number, 'confirm'), 'action', ['unknown_action']);
  const r = await staff.executor.call('POST', `/api/v1/appeals/${a.number}/actions`, { json: { action: 'done' }, headers: { 'Accept-Language': 'en' } });
  assertFieldError(r, 'comment', ['required']);
  assert.match(r.body.error.fields.comment.message, /Comment/);
  assertError(await act(staff.executor, '2026-999999', 'accept'), 404, 'appeal_not_found');
});

test('an executor of another organisation gets 404 (existence does not leak); the state machine answers 409', async () => {
  const a = await newAppeal();
  assertError(await act(otherExec, a.number, 'accept'), 404, 'appeal_not_found');
  assertError(await act(staff.executor, a.number, 'reopen'), 403, 'forbidden');
  assert.equal((await act(staff.executor, a.number, 'done', { comment: 'Зроблено за 5 хвилин' })).status, 200);
  assertError(await act(staff.executor, a.number, 'start'), 409, 'action_not_allowed');
  assertError(await act(staff.dispatcher, a.number, 'reject'), 409, 'action_not_allowed');
});

test('the executor accepts, starts, completes; the applicant disputes → reopened, a violation; done again, confirms, rates', async () => {
  const a = await newAppeal();
  assert.equal(a.status, 'assigned');
  let r = await act(staff.executor, a.number, 'accept');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'assigned');
  assertError(await act(staff.executor, a.number, 'accept'), 409, 'action_not_allowed');
  assert.equal((await act(staff.executor, a.number, 'start')).body.status, 'in_progress');
  assert.equal((await act(staff.executor, a.number, 'done', { comment: 'Замінили засувку' })).body.status, 'done');
  const due = Number(await srv.sql(`SELECT confirm_due_at - done_at FROM appeals WHERE number = '${a.number}'`));
  assert.equal(due, 3 * 86400000);
  assertError(await act(staff.executor, a.number, 'done', { comment: 'ще раз' }), 409, 'action_not_allowed');
  assertFieldError(await track(a.tracking_token, { action: 'dispute' }), 'comment', ['required']);
  r = await track(a.tracking_token, { action: 'dispute', comment: 'Води досі немає' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'reopened');
  assert.ok(!r.text.includes('Води досі немає'), 'the dispute comment is not in the public timeline');
  assert.equal((await srv.sql(`SELECT kind FROM violations v JOIN appeals a ON a.id = v.appeal_id WHERE a.number = '${a.number}'`)).trim(), 'reopened');
  assert.equal((await act(staff.executor, a.number, 'start')).body.status, 'in_progress');
  assert.equal((await act(staff.executor, a.number, 'done', { comment: 'Тепер працює' })).body.status, 'done');
  r = await track(a.tracking_token, { action: 'confirm' });
  assert.equal(r.body.status, 'closed');
  assertError(await track(a.tracking_token, { action: 'confirm' }), 409, 'action_not_allowed');
  assertFieldError(await track(a.tracking_token, { action: 'rate', rating: 6 }), 'rating', ['out_of_range']);
  assertFieldError(await track(a.tracking_token, { action: 'rate', rating: 2.5 }), 'rating', ['out_of_range']);
  r = await track(a.tracking_token, { action: 'rate', rating: 2 });
  assert.equal(r.status, 200);
  const r2 = await track(a.tracking_token, { action: 'rate', rating: 5 });
  assertError(r2, 409, 'action_not_allowed');
  assert.equal(r2.body.error.fields.rating.code, 'already_rated');
  assert.equal((await srv.sql(`SELECT kind FROM violations v JOIN appeals a ON a.id = v.appeal_id WHERE a.number = '${a.number}' ORDER BY v.id`)).trim(), 'reopened\nlow_rating');
  const user = (await srv.sql(`SELECT DISTINCT u.login FROM violations v JOIN users u ON u.id = v.user_id JOIN appeals a ON a.id = v.appeal_id WHERE a.number = '${a.number}'`)).trim();
  assert.equal(user, 'wf-executor', 'violations name the person who closed it');
  // the public timeline: no internal events, no staff names
  const t = (await call(srv.url, 'GET', `/api/v1/track/${a.tracking_token}`)).body.timeline;
  assert.deepEqual(t.map((e) => e.kind), ['registered', 'assigned', 'accepted', 'started', 'done', 'disputed', 'started', 'done', 'confirmed', 'rated']);
  const all = await events(a.number);
  assert.ok(all.includes('dispute_comment:0:applicant'));
  assert.ok(all.includes('accepted:1:staff:wf-executor'));
  assert.equal(all[0], 'registered:1:staff:wf-operator', 'the operator who registered the call is the actor');
});

test('a subscriber\'s link cannot confirm or dispute; unknown tokens are 404', async () => {
  const a = await newAppeal();
  await act(staff.executor, a.number, 'done', { comment: 'Готово' });
  const sub = await call(srv.url, 'POST', `/api/v1/appeals/${a.number}/subscriptions`, { json: { phone: '0671112233' } });
  assert.equal(sub.status, 201, sub.text);
  assertError(await track(sub.body.tracking_token, { action: 'confirm' }), 404, 'tracking_not_found');
  assertError(await track('x'.repeat(43), { action: 'confirm' }), 404, 'tracking_not_found');
});

test('return goes to triage (flagged); the dispatcher reassigns; reject and forward show the reason to the applicant', async () => {
  const a = await newAppeal();
  let r = await act(staff.executor, a.number, 'return');
  assert.equal(r.body.status, 'registered');
  assert.equal((await srv.sql(`SELECT flagged FROM appeals WHERE number = '${a.number}'`)).trim(), '1');
  // in the dispatcher's triage with the Art. 7 limit: forward within 5 days if it is not the city's
  const q = await staff.dispatcher.call('GET', '/api/v1/queues/triage');
  const item = q.body.items.find((i) => i.number === a.number);
  assert.ok(item, q.text);
  assert.equal(Date.parse(item.forward_due_at) - Date.parse(a.created_at), 5 * 86400000);
  assertFieldError(await act(staff.dispatcher, a.number, 'assign', { organisation: 'nope' }), 'organisation', ['unknown_organisation']);
  r = await act(staff.dispatcher, a.number, 'assign', { organisation: 'teploenergo' });
  assert.equal(r.body.status, 'assigned');
  assert.equal(r.body.organisation.code, 'teploenergo');
  assertError(await act(staff.executor, a.number, 'accept'), 404, 'appeal_not_found');
  assert.equal((await act(otherExec, a.number, 'accept')).status, 200);
  const b = await newAppeal();
  r = await act(staff.dispatcher, b.number, 'reject');
  assert.equal(r.body.status, 'rejected');
  const tl = (await call(srv.url, 'GET', `/api/v1/track/${b.tracking_token}`)).body.timeline;
  assert.equal(tl.at(-1).note, 'Не стосується міських служб');
  assertError(await act(staff.dispatcher, b.number, 'assign'), 409, 'action_not_allowed');
  const c = await newAppeal();
  assert.equal((await act(staff.dispatcher, c.number, 'forward')).body.status, 'forwarded');
  const onTime = JSON.parse((await srv.sql(`SELECT e.data FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE a.number = '${c.number}' AND e.kind = 'forwarded'`)).trim());
  assert.equal(onTime.late, false);
  // forwarded on the sixth day: late under Art. 7, and the record says so
  const d = await newAppeal();
  await srv.sql(`UPDATE appeals SET created_at = created_at - ${6 * 86400000} WHERE number = '${d.number}'`);
  assert.equal((await act(staff.dispatcher, d.number, 'forward')).status, 200);
  const late = JSON.parse((await srv.sql(`SELECT e.data FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE a.number = '${d.number}' AND e.kind = 'forwarded'`)).trim());
  assert.equal(late.late, true);
  assert.deepEqual(late.new, { status: 'forwarded' });
});

test('reclassify recomputes the deadlines from the registration time and logs old and new values', async () => {
  const a = await newAppeal(); // no_water: emergency 24 h
  const r = await act(staff.dispatcher, a.number, 'reclassify'); // low_pressure: urgent 3 days
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.type.code, 'low_pressure');
  assert.equal(Date.parse(r.body.resolution_due_at) - Date.parse(a.created_at), 3 * 86400000);
  const data = JSON.parse((await srv.sql(`SELECT e.data FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE a.number = '${a.number}' AND e.kind = 'reclassified'`)).trim());
  assert.equal(data.old.type, 'no_water');
  assert.equal(data.new.type, 'low_pressure');
  assertFieldError(await act(staff.dispatcher, a.number, 'reclassify', { type: 'nope' }), 'type', ['unknown_type']);
});

test('reclassify to another service: theirs at once (assigned, to accept anew); an approved extension stands', async () => {
  const a = await newAppeal();
  await act(staff.executor, a.number, 'start');
  assert.equal((await act(staff.executor, a.number, 'request_extension')).status, 200);
  const ok = await act(staff.supervisor, a.number, 'approve_extension');
  assert.equal(ok.status, 200, ok.text);
  const extended = ok.body.resolution_due_at;
  const r = await act(staff.dispatcher, a.number, 'reclassify', { category: 'heating', type: 'no_heating', reason: 'Це опалення, не вода' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.organisation.code, 'teploenergo');
  assert.equal(r.body.status, 'assigned', 'in progress at vodokanal → assigned to teploenergo');
  assert.equal(r.body.resolution_due_at, extended, 'the approved, announced date is kept');
  assertError(await act(staff.executor, a.number, 'start'), 404, 'appeal_not_found');
  assert.equal((await act(otherExec, a.number, 'accept')).status, 200);
  const tl = (await call(srv.url, 'GET', `/api/v1/track/${a.tracking_token}`)).body.timeline.map((e) => e.kind);
  assert.deepEqual(tl.slice(-3), ['extension_approved', 'assigned', 'accepted']);
});

test('merge: the child becomes a duplicate of the parent; itself or a closed parent is refused', async () => {
  const parent = await newAppeal();
  const child = await newAppeal();
  assertFieldError(await act(staff.dispatcher, child.number, 'merge', { parent: child.number }), 'parent', ['same_appeal']);
  assertFieldError(await act(staff.dispatcher, child.number, 'merge', { parent: '2026-999998' }), 'parent', ['unknown_appeal']);
  const r = await act(staff.dispatcher, child.number, 'merge', { parent: parent.number });
  assert.equal(r.body.status, 'duplicate');
  assert.equal((await srv.sql(`SELECT p.number FROM appeals c JOIN appeals p ON p.id = c.parent_id WHERE c.number = '${child.number}'`)).trim(), parent.number);
  assert.equal((await srv.sql(`SELECT count(*) FROM subscriptions s JOIN appeals p ON p.id = s.appeal_id WHERE p.number = '${parent.number}'`)).trim(), '1');
  // the child's own link now follows the parent: its status and public timeline
  await act(staff.executor, parent.number, 'accept');
  const v = await call(srv.url, 'GET', `/api/v1/track/${child.tracking_token}`);
  assert.equal(v.status, 200);
  assertSchema('AppealTracking', v.body);
  assert.equal(v.body.status, 'duplicate');
  assert.equal(v.body.timeline.at(-1).kind, 'merged');
  assert.equal(v.body.timeline.at(-1).note, parent.number);
  assert.equal(v.body.merged_into.number, parent.number);
  assert.equal(v.body.merged_into.status, 'assigned');
  assert.deepEqual(v.body.merged_into.timeline.map((e) => e.kind), ['registered', 'assigned', 'accepted']);
  assert.ok(!JSON.stringify(v.body.merged_into).includes(parent.description || 'Немає холодної води у під'), 'never the parent applicant\'s words');
  const own = await call(srv.url, 'GET', `/api/v1/track/${parent.tracking_token}`);
  assert.equal(own.body.merged_into, null);
});

test('extensions: one pending request, a date after the deadline and within 45 days; approval moves the deadline publicly', async () => {
  const a = await newAppeal();
  assertFieldError(await act(staff.executor, a.number, 'request_extension', { due_at: 'tomorrow' }), 'due_at', ['invalid_datetime']);
  assertFieldError(await act(staff.executor, a.number, 'request_extension', { due_at: new Date(Date.now() + 3600000).toISOString() }), 'due_at', ['not_after_deadline']);
  assertFieldError(await act(staff.executor, a.number, 'request_extension', { due_at: new Date(Date.now() + 46 * 86400000).toISOString() }), 'due_at', ['past_legal_maximum']);
  assertError(await act(staff.supervisor, a.number, 'approve_extension'), 409, 'action_not_allowed');
  assert.equal((await act(staff.executor, a.number, 'request_extension')).status, 200);
  const again = await act(staff.executor, a.number, 'request_extension');
  assertError(again, 409, 'action_not_allowed');
  assert.equal(again.body.error.fields.action.code, 'extension_pending');
  const r = await act(staff.supervisor, a.number, 'approve_extension', { note: 'Погоджено' });
  assert.equal(r.status, 200, r.text);
  assert.equal(Date.parse(r.body.resolution_due_at), Date.parse(BODY.request_extension.due_at));
  const tl = (await call(srv.url, 'GET', `/api/v1/track/${a.tracking_token}`)).body.timeline;
  assert.equal(tl.at(-1).kind, 'extension_approved');
  assert.equal(tl.at(-1).note, 'Чекаємо на деталь');
  assert.ok(!tl.some((e) => e.kind === 'extension_requested'), 'the request itself is internal');
  // a refused request leaves the deadline alone
  assert.equal((await act(staff.executor, a.number, 'request_extension', { due_at: new Date(Date.now() + 20 * 86400000).toISOString() })).status, 200);
  const refused = await act(staff.supervisor, a.number, 'refuse_extension');
  assert.equal(Date.parse(refused.body.resolution_due_at), Date.parse(BODY.request_extension.due_at));
});

test('a supervisor reopens poor work: reopened, a violation against whoever closed it', async () => {
  const a = await newAppeal();
  await act(staff.executor, a.number, 'done', { comment: 'Зроблено' });
  const r = await act(staff.supervisor, a.number, 'reopen', { reason: 'Фото не підтверджує роботу' });
  assert.equal(r.body.status, 'reopened');
  assert.equal((await srv.sql(`SELECT v.kind || ':' || u.login FROM violations v JOIN users u ON u.id = v.user_id JOIN appeals a ON a.id = v.appeal_id WHERE a.number = '${a.number}'`)).trim(), 'reopened:wf-executor');
});

test('the phone channel is for signed-in hotline staff only', async () => {
  const r = await call(srv.url, 'POST', '/api/v1/appeals', { json: validAppeal({ channel: 'phone' }) });
  assertFieldError(r, 'channel', ['invalid_value']);
  const ex = await staff.executor.call('POST', '/api/v1/appeals', { json: validAppeal({ channel: 'phone' }) });
  assertFieldError(ex, 'channel', ['invalid_value']);
});
