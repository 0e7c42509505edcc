// The one-time sign-in codes the tests type in, read from what was really
// delivered: the email the SMTP server (tests/lib/smtp_sink.py, Debian's
// aiosmtpd) received, or the SMS request the TurboSMS receiver
// (tests/lib/sms.mjs) took. Every test reads a code through lastCode().
//
//   const server = await withDelivery(startServer);          // email + SMS
//   const plain = await withDelivery(startServer, { sms: false }); // no SMS gateway
//   await lastCode(server, 'olena@example.com')  // '123456'; waits for a code to be asked for
import { startSmtpSink, waitUntil } from './smtp.mjs';
import { startSmsReceiver } from './sms.mjs';

const SMS_TOKEN = 'test-turbosms-token';

// "+380 67 123 45 67", "0671234567", "067 123 45 67" → "+380671234567";
// an email → lower case (as the server stores both).
export function recipientOf(contact) {
  const s = String(contact).trim();
  if (s.includes('@')) return s.toLowerCase();
  const digits = s.replace(/\D/g, '');
  if (digits.startsWith('380')) return '+' + digits;
  if (digits.startsWith('0')) return '+38' + digits;
  return '+' + digits;
}

// Starts the SMTP server (and, unless sms is false, the SMS receiver) and
// then the Kontakt server with `start` (startServer or helpers' start),
// pointed at them. The answer is start's, with .delivery = {smtp, sms} and
// a stop() that stops them too.
export async function withDelivery(start, { sms = true, env = {}, ...opts } = {}) {
  const smtp = await startSmtpSink();
  const gw = sms ? await startSmsReceiver({ token: SMS_TOKEN }) : null;
  const deliveryEnv = { KONTAKT_SMTP_URL: smtp.url, KONTAKT_SMTP_TLS: 'off' };
  if (gw) Object.assign(deliveryEnv, { KONTAKT_SMS_URL: gw.url, KONTAKT_SMS_TOKEN: SMS_TOKEN });
  const server = await start({ ...opts, env: { ...deliveryEnv, ...env } });
  server.delivery = { smtp, sms: gw };
  const stop = server.stop.bind(server);
  server.stop = async () => {
    await stop();
    await smtp.stop();
    if (gw) await gw.stop();
  };
  return server;
}

// The sign-in message's own words (domain/templates.c, login_code), so a
// registration email's number is never taken for a code.
const CODE = /(?:Код для входу[^:]*|sign-in code): (\d{6})\b/;

// The code of the newest sign-in message delivered to `contact`, or null
// when none was sent. Waits until the outbox has sent every sign-in
// message queued for it (so the code just asked for is there).
export async function lastCode(server, contact) {
  const d = server.delivery;
  if (!d) throw new Error('lastCode: start the server with withDelivery()');
  const who = recipientOf(contact);
  const quoted = who.replace(/'/g, "''");
  const rows = `FROM outbox WHERE template = 'login_code' AND recipient = '${quoted}'`;
  const one = async (sql) => String(await server.db.query(sql)).trim();
  // The page may ask for the code a moment after this is called (the click's
  // request still on its way): first there must be a code for this contact.
  await waitUntil(async () => Number(await one(`SELECT COUNT(*) ${rows}`)) > 0,
    { what: `a sign-in code for ${who}` });
  await waitUntil(async () => (await one(`SELECT COUNT(*) ${rows} AND status IN ('pending', 'sending')`)) === '0',
    { what: `the sign-in code to be delivered to ${who}` });
  const newest = await one(`SELECT MAX(id) ${rows} AND status = 'sent'`);
  if (!newest) return null;
  // The receiver reports a message a moment after it answered the sender.
  if (who.includes('@')) {
    // The email of that very row: its Message-ID names the outbox row.
    const mail = await waitUntil(() => d.smtp.messages.find((m) => m.to.includes(who) &&
      (m.headers['message-id'] || '').startsWith(`<outbox-${newest}.`)), { what: `the email of outbox row ${newest}` });
    return mail.subject.match(CODE)[1];
  }
  const sent = Number(await one(`SELECT COUNT(*) ${rows} AND status = 'sent'`));
  const texts = () => (d.sms ? d.sms.requests : [])
    .filter((r) => r.body?.recipients?.includes(who.slice(1)) && CODE.test(r.body.sms.text))
    .map((r) => r.body.sms.text);
  await waitUntil(() => texts().length >= sent, { what: `${sent} sign-in SMS to ${who}` });
  return texts().at(-1).match(CODE)[1];
}
