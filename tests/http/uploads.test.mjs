// Uploads are judged before their body is read (http_config.upload_admit):
// a refused upload's body is read and dropped, never kept, and its answer
// comes when the body is in (so the client sees it rather than a reset);
// the bodies in flight together are capped (KONTAKT_UPLOAD_SLOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { start, post } from './helpers.mjs';
import { validAppeal } from '../lib/server.mjs';

let srv;
before(async () => {
  // One upload of the largest size (2 × 100 KB + 64 KiB) at a time.
  srv = await start({ env: { KONTAKT_PHOTO_MAX_BYTES: '100000', KONTAKT_PHOTO_MAX_COUNT: '2', KONTAKT_UPLOAD_SLOTS: '1' } });
});
after(async () => { await srv?.stop(); });

// Sends the head of an upload of `length` bytes and `bodyBytes` of its
// body, then waits for an answer (or for `holdMs`, keeping the connection
// open). Resolves {status, head, sock}.
function partialUpload(target, length, bodyBytes, { headers = '', holdMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let got = '';
    const done = (status) => { clearTimeout(timer); resolve({ status, head: got, sock }); };
    const timer = setTimeout(() => done(0), holdMs);
    sock.on('connect', () => {
      sock.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}` +
        `Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${length}\r\n\r\n`);
      if (bodyBytes) sock.write(Buffer.alloc(bodyBytes, 0x41));
    });
    sock.on('data', (c) => {
      got += c.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      if (m && got.includes('\r\n\r\n')) done(Number(m[1]));
    });
    sock.on('error', reject);
  });
}

test('an upload without the right is refused, and the client gets the answer', async () => {
  const size = 200000;
  for (const [target, status, code] of [
    ['/api/v1/me/appeals/2026-000001/photos', 401, 'auth_required'],
    ['/api/v1/appeals/2026-000001/photos', 401, 'auth_required'],
    ['/api/v1/track/' + 'A'.repeat(43) + '/photos', 404, 'tracking_not_found'],
  ]) {
    const r = await partialUpload(target, size, size);
    assert.equal(r.status, status, `${target}: ${r.head}`);
    assert.match(r.head, new RegExp(`"code":"${code}"`));
    r.sock.destroy();
  }
});

test('the bodies in flight are capped: a second upload waits for the first (503 uploads_busy)', async () => {
  const a = await post(srv.url, validAppeal());
  assert.equal(a.status, 201, a.text);
  const target = `/api/v1/track/${a.body.tracking_token}/photos`;
  // The first upload holds its slot: it has sent only part of its body.
  const first = await partialUpload(target, 200000, 1000, { holdMs: 500 });
  assert.equal(first.status, 0, 'the first upload is still being received');
  // Refused uploads take no room: no session is still 401, not 503.
  const stranger = await partialUpload('/api/v1/me/appeals/2026-000001/photos', 200000, 200000);
  assert.equal(stranger.status, 401, stranger.head);
  stranger.sock.destroy();
  const second = await partialUpload(target, 200000, 200000);
  assert.equal(second.status, 503, second.head);
  assert.match(second.head, /"code":"uploads_busy"/);
  assert.match(second.head, /Retry-After: 10/i);
  second.sock.destroy();
  // When the first ends, the slot is free again.
  first.sock.destroy();
  let third;
  for (let i = 0; i < 50; i++) {
    third = await partialUpload(target, 200000, 0, { holdMs: 300 });
    third.sock.destroy();
    if (third.status === 0) break; // admitted: waiting for its body
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(third.status, 0, 'the slot came back');
});
