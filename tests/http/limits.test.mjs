// The transport limits, each explicit and configurable: header size,
// connections per address, idle timeout. (Body size: validation.test.mjs;
// the rate of new appeals: ratelimit.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer({ env: { KONTAKT_MAX_CONN_PER_IP: '8', KONTAKT_TIMEOUT_S: '2' } });
});
after(async () => { await srv.stop(); });

function connect() {
  return new Promise((resolve, reject) => {
    const s = net.connect(srv.port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

// Sends raw bytes; resolves with everything received until the server closes.
function exchange(sock, bytes) {
  return new Promise((resolve) => {
    let data = '';
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('close', () => resolve(data));
    sock.on('error', () => resolve(data));
    if (bytes) sock.write(bytes);
  });
}

test('headers over 32 KiB are refused and the connection closed; the server lives on', async () => {
  const s = await connect();
  const answer = await exchange(s, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`);
  const status = Number(answer.split(' ')[1]);
  assert.ok(status === 413 || status === 431, answer.slice(0, 200));
  const res = await fetch(`${srv.url}/healthz`);
  assert.equal(res.status, 200);
});

test('at most 8 connections from one address (as configured); the 9th is refused', async () => {
  const socks = [];
  for (let i = 0; i < 8; i++) socks.push(await connect());
  const extra = await connect();
  const got = await exchange(extra, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(got, '', 'the 9th connection got an answer');
  for (const s of socks) s.destroy();
  await new Promise((r) => setTimeout(r, 300));
  const res = await fetch(`${srv.url}/healthz`);
  assert.equal(res.status, 200);
});

test('an idle connection is closed after the configured timeout (2 s here)', async () => {
  const s = await connect();
  const started = Date.now();
  const got = await exchange(s, 'GET /healthz HTTP/1.1\r\nHost: x\r\n'); // never finishes its headers
  const waited = Date.now() - started;
  assert.equal(got, '');
  assert.ok(waited >= 1500 && waited < 15000, `closed after ${waited} ms`);
});
