// A real SMTP server for the HTTP tests (tests/lib/smtp_sink.py on Debian's
// python3-aiosmtpd), and a reader of the messages it took.
//
//   const sink = await startSmtpSink({ refuse: 2, stall: 1 });
//   env KONTAKT_SMTP_URL = sink.url
//   const msg = await sink.waitForMessage((m) => m.to.includes('a@b.c'));
//   msg.subject, msg.body (decoded), msg.headers['message-id']
//   await sink.stop();
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
// Debian's python has aiosmtpd; a python3 earlier on PATH (pyenv) may not.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// Waits until check() returns a truthy value (polled), or throws after timeoutMs.
export async function waitUntil(check, { timeoutMs = 15000, intervalMs = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// RFC 2047 encoded words (B and Q) of a header value → text.
export function decodeWords(value) {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, cs, enc, text) => {
    const bytes = enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return new TextDecoder(cs).decode(bytes);
  });
}

// A raw RFC 5322 message → {headers (lower-case names, unfolded, raw), subject, body, ...}.
export function parseMessage(raw) {
  const sep = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, sep);
  const rest = raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  let body;
  if (cte === 'base64') body = Buffer.from(rest.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable') {
    body = Buffer.from(rest.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  } else body = rest;
  return { headers, subject: decodeWords(headers.subject || ''), body: body.replace(/\r\n/g, '\n'), raw, crlf: /\r\n/.test(raw) };
}

export async function startSmtpSink({ refuse = 0, stall = 0, stallSeconds = 60 } = {}) {
  const child = spawn(PYTHON, [path.join(HERE, 'smtp_sink.py'), '--port', '0', '--refuse', String(refuse),
    '--stall', String(stall), '--stall-seconds', String(stallSeconds)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events = [];
  const messages = [];
  let err = '';
  let out = '';
  child.stderr.on('data', (c) => { err += c; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('SMTP sink did not start: ' + err)), 10000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`SMTP sink exited ${code}: ${err}`)); });
    child.stdout.on('data', (c) => {
      out += c;
      let i;
      while ((i = out.indexOf('\n')) >= 0) {
        const e = JSON.parse(out.slice(0, i));
        out = out.slice(i + 1);
        events.push(e);
        if (e.event === 'listening') { clearTimeout(timer); resolve(e.port); }
        if (e.event === 'message') {
          messages.push({ ...parseMessage(e.data), from: e.mail_from, to: e.rcpt_tos, n: e.n });
        }
      }
    });
  });
  return {
    port, url: `smtp://127.0.0.1:${port}`, events, messages,
    waitForMessage: (pred = () => true, opts = {}) =>
      waitUntil(() => messages.find(pred), { what: 'an email', ...opts }),
    waitForEvent: (name, opts = {}) =>
      waitUntil(() => events.find((e) => e.event === name), { what: `SMTP event ${name}`, ...opts }),
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      child.kill('SIGTERM');
      await done;
    },
  };
}
