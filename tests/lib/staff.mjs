// Staff accounts and sessions for the HTTP and browser tests: accounts are
// made with the real CLI (`kontakt user add`, password on standard input)
// and sessions by the real login endpoint. totpCode is an independent
// RFC 6238 implementation (node's crypto), so it also checks the server's.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { BIN, ROOT } from './server.mjs';

// A password that passes the policy (12+ characters, not common).
export const GOOD_PASSWORD = 'Kontakt-Test-Passw0rd-2026';

export function addUser(srv, { login, role, org, name, password = GOOD_PASSWORD }) {
  const args = ['user', 'add', '--db', srv.db.url, '--login', login, '--role', role];
  if (org) args.push('--org', org);
  if (name) args.push('--name', name);
  const out = execFileSync(BIN, args, { cwd: ROOT, input: password + '\n', stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  const m = out.match(/TOTP secret: ([A-Z2-7]+)/);
  return { login, password, role, org, totp_secret: m ? m[1] : null };
}

function base32Decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | A.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

export function totpCode(secret, atMs = Date.now()) {
  const step = Math.floor(atMs / 1000 / 30);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

// A code the server has not seen yet for this secret: the server takes a
// code once (no replay) and accepts one step of drift, so a second sign-in
// within the same 30 s uses the next step, and a third waits for the clock.
const lastStep = new Map();
export async function freshTotp(secret) {
  const now = Math.floor(Date.now() / 30000);
  let step = Math.max(now, (lastStep.get(secret) ?? -Infinity) + 1);
  if (step > now + 1) {
    await new Promise((r) => setTimeout(r, (step - 1) * 30000 - Date.now() + 50));
  }
  lastStep.set(secret, step);
  return totpCode(secret, step * 30000);
}

// Signs in and returns a session that sends the cookie and X-CSRF-Token.
// Throws with the server's answer when the login fails.
export async function signIn(srv, { login, password = GOOD_PASSWORD, totp_secret }) {
  const body = { login, password };
  if (totp_secret) body.totp = await freshTotp(totp_secret);
  const res = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (res.status !== 200) throw new Error(`login ${login}: ${res.status} ${JSON.stringify(answer)}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const session = {
    cookie, csrf: answer.csrf_token, user: answer.user, login: answer,
    async call(method, path, opts = {}) {
      const headers = { Cookie: cookie, ...(opts.headers || {}) };
      if (method !== 'GET' && method !== 'HEAD' && !('X-CSRF-Token' in headers)) headers['X-CSRF-Token'] = answer.csrf_token;
      let reqBody = opts.body;
      if (opts.json !== undefined) { reqBody = JSON.stringify(opts.json); headers['Content-Type'] = 'application/json'; }
      const r = await fetch(srv.url + path, { method, headers, body: reqBody, redirect: 'manual' });
      const text = await r.text();
      let parsed;
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
      return { status: r.status, headers: r.headers, text, body: parsed };
    },
  };
  return session;
}

// One account of each role (executor of `org`), signed in; keyed by role.
export async function staffOfEveryRole(srv, org = 'vodokanal', prefix = 'u') {
  const roles = ['operator', 'dispatcher', 'executor', 'supervisor', 'analyst', 'admin'];
  const out = {};
  for (const role of roles) {
    const u = addUser(srv, { login: `${prefix}-${role}`, role, org: role === 'executor' ? org : undefined, name: `Test ${role}` });
    out[role] = await signIn(srv, u);
    out[role].account = u;
  }
  return out;
}
