// The one-time sign-in codes the tests type in. Every test reads a code
// through lastCode() only: for now it reads the newest `outbox` row of the
// `login_code` template for the recipient from the test database; when the
// real delivery lands (SMTP server in tests) only this function changes.

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

// The code of the newest sign-in message sent to `contact` (phone or email),
// or null when none was sent. `server`: startServer()'s answer.
export async function lastCode(server, contact) {
  const who = recipientOf(contact).replace(/'/g, "''");
  const sql = `SELECT params FROM outbox WHERE template = 'login_code' AND recipient = '${who}' ORDER BY id DESC LIMIT 1`;
  const out = String(await server.db.query(sql)).trim();
  if (!out) return null;
  const code = JSON.parse(out).code;
  return typeof code === 'string' ? code : null;
}
