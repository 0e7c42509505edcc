// Notifications (docs/RESIDENTS.md): the outbox, email through a real SMTP
// server (tests/lib/smtp_sink.py), SMS through a local TurboSMS stand-in
// (tests/lib/sms.mjs), retries with backoff, and a crash in the middle of
// sending: each message arrives exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { start, call } from './helpers.mjs';
import { validAppeal, freshDatabase } from '../lib/server.mjs';
import { staffOfEveryRole } from '../lib/staff.mjs';
import { startSmtpSink, waitUntil, parseMessage } from '../lib/smtp.mjs';
import { startSmsReceiver } from '../lib/sms.mjs';

const SMS_TOKEN = 'test-turbosms-token';
let sink, gw, srv, staff;

function env(extra = {}) {
  return {
    KONTAKT_SMTP_URL: sink.url, KONTAKT_SMTP_FROM: 'kontakt@city.example', KONTAKT_SMTP_TLS: 'try',
    KONTAKT_SMS_URL: gw.url, KONTAKT_SMS_TOKEN: SMS_TOKEN, KONTAKT_SMS_SENDER: 'DniproRada',
    ...extra,
  };
}

before(async () => {
  sink = await startSmtpSink();
  gw = await startSmsReceiver({ token: SMS_TOKEN, invalid: ['380630000000'] });
  srv = await start({ env: env() });
  staff = await staffOfEveryRole(srv, 'vodokanal', 'nt');
});
after(async () => {
  await srv?.stop();
  await sink?.stop();
  await gw?.stop();
});

const file = async (s, body, headers = {}) => {
  const r = await call(s.url, 'POST', '/api/v1/appeals', { json: body, headers });
  assert.equal(r.status, 201, r.text);
  return r.body;
};
const outboxOf = async (s, number) => (await s.sql(
  `SELECT o.template || '|' || o.channel || '|' || o.recipient || '|' || o.status || '|' || o.attempts || '|' || o.params
   FROM outbox o JOIN appeals a ON a.id = o.appeal_id WHERE a.number = '${number}' ORDER BY o.id`))
  .split('\n').filter(Boolean).map((l) => {
    const [template, channel, recipient, status, attempts, ...params] = l.split('|');
    return { template, channel, recipient, status, attempts: Number(attempts), params: JSON.parse(params.join('|')) };
  });
// Waits until the appeal's outbox has no row left to send, and returns the rows.
const settled = (s, number, opts = {}) => waitUntil(async () => {
  const rows = await outboxOf(s, number);
  return rows.length && rows.every((r) => !['pending', 'sending'].includes(r.status)) ? rows : null;
}, { what: `the outbox of ${number} to settle`, ...opts });
const mailsTo = (addr, subjectPart = '') =>
  sink.messages.filter((m) => m.to.includes(addr) && m.subject.includes(subjectPart));

test('an appeal with an email: the "registered" mail arrives with the number and a working tracking link', async () => {
  const email = 'reg-uk@example.com';
  const a = await file(srv, validAppeal({ applicant: { name: 'Олена Коваль', phone: '067 123 45 67', email } }));
  const m = await sink.waitForMessage((x) => x.to.includes(email));
  assert.equal(m.subject, `Звернення ${a.number} зареєстровано`);
  assert.ok(m.body.includes(a.number), m.body);
  const link = m.body.match(/(http\S+\/track\.html#(\S+))/);
  assert.ok(link, m.body);
  assert.equal(link[2], a.tracking_token);
  assert.ok(link[1].startsWith(srv.url + '/track.html#'), link[1]);
  const t = await call(srv.url, 'GET', `/api/v1/track/${link[2]}`);
  assert.equal(t.status, 200, t.text);
  assert.equal(t.body.number, a.number);
  // A proper message: envelope, headers, a stable Message-ID, CRLF line ends.
  assert.equal(m.from, 'kontakt@city.example');
  assert.match(m.headers['message-id'], /^<outbox-\d+\.\d+@kontakt>$/);
  assert.match(m.headers['content-type'], /text\/plain; charset=utf-8/i);
  assert.equal(m.headers['mime-version'], '1.0');
  assert.ok(m.headers.date && !Number.isNaN(Date.parse(m.headers.date)));
  assert.match(m.headers.subject, /^=\?UTF-8\?B\?/);
  assert.ok(m.crlf);
  // Sent once; the token does not stay in the database after sending.
  const rows = await settled(srv, a.number);
  assert.deepEqual(rows.map((r) => [r.template, r.channel, r.status]), [['registered', 'email', 'sent']]);
  assert.equal(rows[0].params.token, undefined);
  assert.equal(rows[0].params.number, a.number);
  assert.ok(!JSON.stringify(rows).includes(a.tracking_token));
  // Nothing personal in the server's log.
  assert.ok(!srv.logs().includes(email));
  assert.ok(!srv.logs().includes(a.tracking_token));
});

test('the applicant\'s language is the request\'s: English', async () => {
  const email = 'reg-en@example.com';
  const a = await file(srv, validAppeal({ applicant: { name: 'Olena', phone: '067 123 45 68', email } }), { 'Accept-Language': 'en' });
  const m = await sink.waitForMessage((x) => x.to.includes(email));
  assert.equal(m.subject, `Appeal ${a.number} registered`);
  assert.match(m.body, /Follow it here: http/);
  assert.equal(await srv.sql(`SELECT lang FROM appeals WHERE number = '${a.number}'`), 'en');
});

test('an appeal with only a phone: a TurboSMS request with the number and the link', async () => {
  const a = await file(srv, validAppeal({ applicant: { name: 'Петро', phone: '067 765 43 21' } }));
  const r = await gw.waitForRequest((x) => x.body?.recipients?.includes('380677654321'));
  assert.deepEqual(gw.problems, []);
  assert.equal(r.headers.authorization, `Bearer ${SMS_TOKEN}`);
  assert.equal(r.body.sms.sender, 'DniproRada');
  assert.ok(r.body.sms.text.includes(a.number), r.body.sms.text);
  assert.ok(r.body.sms.text.includes(`/track.html#${a.tracking_token}`), r.body.sms.text);
  const rows = await settled(srv, a.number);
  assert.deepEqual(rows.map((x) => [x.template, x.channel, x.recipient, x.status]),
    [['registered', 'sms', '+380677654321', 'sent']]);
  assert.equal(rows[0].params.token, undefined);
});

test('an invalid number (the provider says so) fails at once, without retries', async () => {
  const a = await file(srv, validAppeal({ applicant: { name: 'Петро', phone: '063 000 00 00' } }));
  const rows = await settled(srv, a.number);
  assert.deepEqual(rows.map((x) => [x.channel, x.status, x.attempts]), [['sms', 'failed', 1]]);
  const err = await srv.sql(`SELECT last_error FROM outbox o JOIN appeals a ON a.id = o.appeal_id WHERE a.number = '${a.number}'`);
  assert.match(err, /INVALID_RECIPIENT/);
  assert.ok(!err.includes('0630000000'));
});

test('staff actions tell the applicant and the "me too" subscribers: extension, done, reopened, closed', async () => {
  const email = 'flow@example.com', subEmail = 'metoo@example.com';
  const a = await file(srv, validAppeal({ applicant: { name: 'Олена', phone: '067 111 22 33', email } }));
  const sub = await call(srv.url, 'POST', `/api/v1/appeals/${a.number}/subscriptions`, { json: { phone: '050 999 88 77', email: subEmail } });
  assert.equal(sub.status, 201, sub.text);
  const act = async (who, action, extra = {}) => {
    const r = await staff[who].call('POST', `/api/v1/appeals/${a.number}/actions`, { json: { action, ...extra } });
    assert.equal(r.status, 200, `${who} ${action}: ${r.text}`);
  };
  await act('executor', 'accept');
  const due = new Date(Date.now() + 20 * 86400000);
  await act('executor', 'request_extension', { reason: 'Чекаємо на засувку', due_at: due.toISOString() });
  await act('supervisor', 'approve_extension');
  const ext = await sink.waitForMessage((m) => m.to.includes(email) && m.subject.includes('продовжено'));
  assert.ok(ext.body.includes('Причина: Чекаємо на засувку'), ext.body);
  const local = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', day: '2-digit', month: '2-digit', year: 'numeric' }).format(due);
  assert.ok(ext.body.includes(local), `${local} in ${ext.body}`);
  await sink.waitForMessage((m) => m.to.includes(subEmail) && m.subject.includes('продовжено'));
  await act('executor', 'done', { comment: 'Замінили засувку' });
  const done = await sink.waitForMessage((m) => m.to.includes(email) && m.subject.includes('виконано'));
  assert.ok(done.body.includes('Коментар виконавця: Замінили засувку'), done.body);
  await sink.waitForMessage((m) => m.to.includes(subEmail) && m.subject.includes('виконано'));
  await act('supervisor', 'reopen', { reason: 'Вода досі тече' });
  const re = await sink.waitForMessage((m) => m.to.includes(email) && m.subject.includes('відкрито повторно'));
  assert.ok(re.body.includes('Причина: Вода досі тече'));
  await act('executor', 'done', { comment: 'Тепер справді' });
  await waitUntil(() => mailsTo(email, 'виконано').length === 2, { what: 'the second "done"' });
  const c = await call(srv.url, 'POST', `/api/v1/track/${a.tracking_token}/actions`, { json: { action: 'confirm' } });
  assert.equal(c.status, 200, c.text);
  await sink.waitForMessage((m) => m.to.includes(subEmail) && m.subject.includes('закрито'));
  const rows = await settled(srv, a.number);
  assert.ok(rows.every((r) => r.status === 'sent'), JSON.stringify(rows));
  // Each message once; the applicant who confirmed is not told that they did.
  const summary = (addr) => rows.filter((r) => r.recipient === addr).map((r) => r.template);
  assert.deepEqual(summary(email), ['registered', 'extension', 'done', 'reopened', 'done']);
  assert.deepEqual(summary(subEmail), ['extension', 'done', 'done', 'closed']);
  assert.equal(mailsTo(email).length, 5);
  assert.equal(mailsTo(subEmail).length, 4);
});

test('a resident who chose "none" is told nothing; "sms" goes by SMS though an email is known', async () => {
  const now = Date.now();
  await srv.sql(`INSERT INTO residents (phone, email, notify, lang, created_at) VALUES ('+380671110001', NULL, 'none', 'uk', ${now})`);
  await srv.sql(`INSERT INTO residents (phone, email, notify, lang, created_at) VALUES (NULL, 'prefers-sms@example.com', 'sms', 'uk', ${now})`);
  const quiet = await file(srv, validAppeal({ applicant: { name: 'Тихий', phone: '067 111 00 01', email: 'quiet@example.com' } }));
  const sms = await file(srv, validAppeal({ applicant: { name: 'Смс', phone: '067 111 00 02', email: 'prefers-sms@example.com' } }));
  await gw.waitForRequest((x) => x.body?.recipients?.includes('380671110002'));
  assert.deepEqual(await outboxOf(srv, quiet.number), []);
  const rows = await settled(srv, sms.number);
  assert.deepEqual(rows.map((r) => [r.channel, r.recipient]), [['sms', '+380671110002']]);
});

test('an SMTP server that refuses at first: delivered later, exactly once, after backoff', async () => {
  const refusing = await startSmtpSink({ refuse: 2 });
  const s = await start({ env: env({ KONTAKT_SMTP_URL: refusing.url, KONTAKT_OUTBOX_RETRY_MS: '200' }) });
  try {
    const email = 'retry@example.com';
    const a = await file(s, validAppeal({ applicant: { name: 'Олена', phone: '067 123 45 67', email } }));
    await refusing.waitForMessage((m) => m.to.includes(email));
    const rows = await settled(s, a.number);
    assert.deepEqual(rows.map((r) => [r.status, r.attempts]), [['sent', 3]]);
    assert.equal(refusing.events.filter((e) => e.event === 'refused').length, 2);
    assert.equal(refusing.messages.length, 1);
    const err = await s.sql(`SELECT last_error FROM outbox o JOIN appeals a ON a.id = o.appeal_id WHERE a.number = '${a.number}'`);
    assert.match(err, /451/);
    assert.ok(!err.includes(email));
  } finally {
    await s.stop();
    await refusing.stop();
  }
});

test('KONTAKT_SMTP_TLS=require against a server without STARTTLS: nothing goes in clear, the row waits', async () => {
  const plain = await startSmtpSink();
  const s = await start({ env: env({ KONTAKT_SMTP_URL: plain.url, KONTAKT_SMTP_TLS: 'require', KONTAKT_OUTBOX_RETRY_MS: '60000' }) });
  try {
    const a = await file(s, validAppeal());
    const row = await waitUntil(async () => {
      const r = (await outboxOf(s, a.number))[0];
      return r && r.status === 'pending' && r.attempts === 1 ? r : null;
    }, { what: 'a failed first attempt' });
    assert.equal(row.channel, 'email');
    assert.equal(plain.messages.length, 0);
  } finally {
    await s.stop();
    await plain.stop();
  }
});

test('kill -9 while the SMTP server holds the end of DATA: after a restart the message arrives exactly once', async () => {
  const stalling = await startSmtpSink({ stall: 1, stallSeconds: 120 });
  const db = freshDatabase();
  const e = env({ KONTAKT_SMTP_URL: stalling.url, KONTAKT_OUTBOX_LEASE_MS: '2000', KONTAKT_OUTBOX_RETRY_MS: '200' });
  let s = await start({ db, env: e });
  try {
    const email = 'crash@example.com';
    const a = await file(s, validAppeal({ applicant: { name: 'Олена', phone: '067 123 45 67', email } }));
    await stalling.waitForEvent('stalling');
    assert.equal((await outboxOf(s, a.number))[0].status, 'sending');
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGKILL');
    await exited;
    await s.stop(); // closes the test's SQL session; the database stays (opts.db)
    await stalling.waitForEvent('dropped');
    assert.equal(stalling.messages.length, 0);
    s = await start({ db, env: e });
    const m = await stalling.waitForMessage((x) => x.to.includes(email), { timeoutMs: 20000 });
    assert.equal(m.subject, `Звернення ${a.number} зареєстровано`);
    const rows = await settled(s, a.number);
    assert.deepEqual(rows.map((r) => [r.status, r.attempts]), [['sent', 2]]);
    assert.equal(rows[0].params.token, undefined);
    assert.equal(stalling.messages.length, 1);
    // The link still works: the token went out in the message, not lost with the crash.
    const link = m.body.match(/\/track\.html#(\S+)/);
    assert.equal((await call(s.url, 'GET', `/api/v1/track/${link[1]}`)).status, 200);
  } finally {
    await s.stop();
    db.drop();
    await stalling.stop();
  }
});

test('without KONTAKT_SMS_URL an SMS row is skipped, not retried', async () => {
  const s = await start({ env: { KONTAKT_SMTP_URL: sink.url } });
  try {
    const a = await file(s, validAppeal({ applicant: { name: 'Петро', phone: '067 765 43 00' } }));
    const rows = await settled(s, a.number);
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.attempts]), [['sms', 'skipped', 1]]);
    assert.match(s.logs(), /SMS/);
  } finally {
    await s.stop();
  }
});

test('a sign-in code queued by store_outbox_add goes out, and the code does not stay in the row', async () => {
  const now = Date.now();
  await srv.sql(`INSERT INTO outbox (appeal_id, event_kind, channel, recipient, template, lang, params, status, attempts, next_attempt_at, created_at)
    VALUES (NULL, NULL, 'email', 'code@example.com', 'login_code', 'en', '{"code":"654321"}', 'pending', 0, ${now}, ${now})`);
  await file(srv, validAppeal()); // any request that queues wakes the sender
  const m = await sink.waitForMessage((x) => x.to.includes('code@example.com'));
  assert.equal(m.subject, 'Your sign-in code: 654321');
  const row = await waitUntil(async () => {
    const r = await srv.sql(`SELECT status || '|' || params FROM outbox WHERE recipient = 'code@example.com'`);
    return r.startsWith('sent|') ? r : null;
  }, { what: 'the code row sent' });
  assert.equal(row, 'sent|{}');
});

test('without KONTAKT_SMTP_URL mail is delivered to the Maildir <var>/mail/new', async () => {
  const s = await start();
  try {
    const email = 'maildir@example.com';
    const a = await file(s, validAppeal({ applicant: { name: 'Олена', phone: '067 123 45 67', email } }));
    const dir = path.join(s.varDir, 'mail');
    const name = await waitUntil(() => readdirSync(path.join(dir, 'new'))[0], { what: 'a Maildir file' });
    assert.deepEqual(readdirSync(path.join(dir, 'tmp')), []);
    const m = parseMessage(readFileSync(path.join(dir, 'new', name), 'utf8'));
    assert.equal(m.headers.to, email);
    assert.equal(m.subject, `Звернення ${a.number} зареєстровано`);
    assert.ok(m.body.includes(`/track.html#${a.tracking_token}`));
    assert.match(s.logs(), /Maildir/);
    assert.ok(!s.logs().includes(email));
  } finally {
    await s.stop();
  }
});
