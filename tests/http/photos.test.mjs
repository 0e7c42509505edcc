// Photos (docs/RESIDENTS.md "Photos"): uploads by the tracking link and by
// staff, the checks by content (a script named .jpg, too big, too many,
// truncated), metadata stripped (exiftool), who may see what, the public
// flag. Real images made at test time with the `vips` CLI (libvips-tools);
// every refusal leaves no file under var/photos and no row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { start, call, post, assertError, assertSchema, rawRequest } from './helpers.mjs';
import { DB_KIND } from '../lib/server.mjs';
import { staffOfEveryRole, addUser, signIn } from '../lib/staff.mjs';

const MAX_BYTES = 400000;
const work = mkdtempSync(path.join(tmpdir(), 'kontakt-photos-'));
const varDir = path.join(work, 'var');
let srv, staff, otherExec;

// A noisy colour image (noise: every one different, and it does not
// compress, so sizes are predictable).
function makeImage(name, w, h, { bands = 3 } = {}) {
  const noise = path.join(work, name + '.v');
  execFileSync('vips', ['gaussnoise', noise, String(w), String(h), '--mean', '128', '--sigma', '40']);
  const joined = path.join(work, name + '-j.v');
  execFileSync('vips', ['bandjoin', Array(bands).fill(noise).join(' '), joined]);
  const out = path.join(work, name);
  execFileSync('vips', ['cast', joined, out, 'uchar']);
  return out;
}

// A JPEG with GPS and an orientation tag (rotate 90° CW) in its EXIF.
function jpegWithGps() {
  const file = makeImage('gps.jpg', 400, 300);
  execFileSync('exiftool', ['-q', '-overwrite_original', '-n', '-GPSLatitude=48.4647', '-GPSLatitudeRef=N',
    '-GPSLongitude=35.0462', '-GPSLongitudeRef=E', '-Orientation=6', '-Artist=Secret Person', file]);
  const tags = JSON.parse(execFileSync('exiftool', ['-j', '-n', file]).toString())[0];
  assert.ok(tags.GPSLatitude, 'the test image has GPS before upload');
  return file;
}

function form(files) {
  const fd = new FormData();
  for (const f of files) {
    const bytes = f.bytes ?? readFileSync(f.file);
    fd.append(f.field || 'photo', new Blob([bytes], { type: f.type || 'image/jpeg' }), f.name || path.basename(f.file || 'x.jpg'));
  }
  return fd;
}

const upload = (token, files, headers = {}) => call(srv.url, 'POST', `/api/v1/track/${token}/photos`, { body: form(files), headers });

function storedFiles() {
  const root = path.join(varDir, 'photos');
  try {
    return readdirSync(root, { recursive: true }).filter((f) => statSync(path.join(root, f)).isFile());
  } catch { return []; }
}
const photoRows = async () => Number(await srv.sql('SELECT count(*) FROM photos'));

// A refusal stores nothing: same files, same rows as before.
async function nothingStored(before) {
  assert.deepEqual(storedFiles().sort(), before.files.sort(), 'no file left behind');
  assert.equal(await photoRows(), before.rows, 'no row left behind');
}
const snapshot = async () => ({ files: storedFiles(), rows: await photoRows() });

async function newAppeal(over = {}) {
  const r = await post(srv.url, { category: 'water_supply', type: 'no_water', description: 'Немає води в будинку з самого ранку', location: { lat: 48.4647, lon: 35.0462 }, applicant: { name: 'Олена', phone: '067 123 45 67' }, ...over });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

before(async () => {
  srv = await start({ env: { KONTAKT_VAR_DIR: varDir, KONTAKT_PHOTO_MAX_BYTES: String(MAX_BYTES), KONTAKT_PHOTO_MAX_COUNT: '5' } });
  staff = await staffOfEveryRole(srv, 'vodokanal', 'ph');
  otherExec = await signIn(srv, addUser(srv, { login: 'ph-teplo', role: 'executor', org: 'teploenergo' }));
});
after(async () => {
  await srv?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a JPEG with GPS is stored without any metadata, upright, with a thumbnail', async () => {
  const a = await newAppeal();
  const r = await upload(a.tracking_token, [{ file: jpegWithGps(), name: 'IMG_0001.jpg' }]);
  assert.equal(r.status, 201, r.text);
  assertSchema('PhotosUploaded', r.body);
  const [p] = r.body.photos;
  assert.equal(p.kind, 'appeal');
  assert.equal(p.mime, 'image/jpeg');
  assert.deepEqual([p.width, p.height], [300, 400], 'rotated by the EXIF orientation');
  const full = await fetch(srv.url + p.url);
  assert.equal(full.status, 200);
  assert.equal(full.headers.get('content-type'), 'image/jpeg');
  assert.equal(full.headers.get('x-content-type-options'), 'nosniff');
  assert.match(full.headers.get('cache-control'), /^private/);
  assert.equal(full.headers.get('content-disposition'), 'inline');
  const got = path.join(work, 'served.jpg');
  writeFileSync(got, Buffer.from(await full.arrayBuffer()));
  const tags = JSON.parse(execFileSync('exiftool', ['-j', '-n', got]).toString())[0];
  const leaked = Object.keys(tags).filter((k) => /^GPS|Orientation|Artist|^Exif(?!ToolVersion)|XMP|IPTC|ICC|Profile/.test(k));
  assert.deepEqual(leaked, [], 'no EXIF/GPS in the served image: ' + JSON.stringify(tags));
  assert.equal(tags.ImageWidth, 300);
  const thumb = await fetch(srv.url + p.thumb_url);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  assert.equal(thumb.headers.get('x-content-type-options'), 'nosniff');
  const tb = Buffer.from(await thumb.arrayBuffer());
  writeFileSync(path.join(work, 'thumb.jpg'), tb);
  const tt = JSON.parse(execFileSync('exiftool', ['-j', '-n', path.join(work, 'thumb.jpg')]).toString())[0];
  assert.ok(tt.ImageWidth <= 320 && tt.ImageHeight <= 320, 'thumbnail within 320 px');
  // stored under var/photos/<ab>/<sha256>.jpg and -thumb.jpg
  const files = storedFiles();
  const sha = files.find((f) => f.endsWith('.jpg') && !f.endsWith('-thumb.jpg'));
  assert.match(sha, /^[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
  assert.ok(files.includes(sha.replace('.jpg', '-thumb.jpg')));
  // the tracking view lists it
  const view = await call(srv.url, 'GET', `/api/v1/track/${a.tracking_token}`);
  assert.equal(view.body.photos.length, 1);
  assert.equal(view.body.photos[0].id, p.id);
  assertSchema('AppealTracking', view.body);
});

test('PNG (with alpha) and WebP are accepted, by content', async () => {
  const a = await newAppeal();
  const png = makeImage('a.png', 200, 150, { bands: 4 });
  const webp = makeImage('b.webp', 200, 150);
  const r = await upload(a.tracking_token, [{ file: png, type: 'application/octet-stream' }, { file: webp, name: 'photo.jpg' }]);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.photos.map((p) => p.mime), ['image/png', 'image/webp']);
  for (const p of r.body.photos) {
    const res = await fetch(srv.url + p.url);
    assert.equal(res.headers.get('content-type'), p.mime);
    const th = await fetch(srv.url + p.thumb_url);
    assert.equal(th.headers.get('content-type'), 'image/jpeg');
  }
});

test('a shell script named x.jpg sent as image/jpeg: 415 photo_type, nothing stored', async () => {
  const a = await newAppeal();
  const before = await snapshot();
  const r = await upload(a.tracking_token, [{ bytes: Buffer.from('#!/bin/sh\nrm -rf /\n'), name: 'x.jpg', type: 'image/jpeg' }], { 'Accept-Language': 'en' });
  const e = assertError(r, 415, 'photo_type');
  assert.equal(e.fields.photo.code, 'photo_type');
  assert.match(e.fields.photo.message, /photo/);
  assert.match(e.fields.photo.message, /JPEG, PNG, WebP/);
  await nothingStored(before);
});

test('a file over KONTAKT_PHOTO_MAX_BYTES: 413 naming the field and the limit, nothing stored', async () => {
  const a = await newAppeal();
  const big = makeImage('big.jpg', 1600, 1200);
  assert.ok(statSync(big).size > MAX_BYTES);
  const before = await snapshot();
  // a good photo with it: the whole upload is refused
  const r = await upload(a.tracking_token, [{ file: makeImage('ok1.jpg', 100, 100) }, { file: big }], { 'Accept-Language': 'en' });
  const e = assertError(r, 413, 'photo_too_large');
  assert.match(e.fields.photo.message, new RegExp(String(MAX_BYTES)));
  assert.match(e.fields.photo.message, /big\.jpg/);
  await nothingStored(before);
  // a body over count × size + 64 KiB is refused before it is read, naming the limit
  const cap = 5 * MAX_BYTES + 64 * 1024;
  const raw = await rawRequest(srv.port, `POST /api/v1/track/${a.tracking_token}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${cap + 1}\r\nConnection: close\r\n\r\n`);
  assert.equal(raw.status, 413, raw.head);
  const answer = JSON.parse(Buffer.from(raw.raw.slice(raw.raw.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8'));
  assert.equal(answer.error.code, 'body_too_large');
  assert.match(answer.error.fields.body.message, new RegExp(String(cap)));
  await nothingStored(before);
});

test('a truncated JPEG and a decompression bomb: 422 photo_invalid, nothing stored', async () => {
  const a = await newAppeal();
  const good = readFileSync(makeImage('t.jpg', 400, 300));
  const before = await snapshot();
  const r = await upload(a.tracking_token, [{ bytes: good.subarray(0, Math.floor(good.length / 2)), name: 't.jpg' }]);
  const e = assertError(r, 422, 'photo_invalid');
  assert.equal(e.fields.photo.code, 'photo_invalid');
  await nothingStored(before);
  // a decompression bomb: 64 megapixels in a 60 KB PNG, refused from its header
  const bomb = path.join(work, 'bomb.png');
  execFileSync('vips', ['black', bomb, '8000', '8000']);
  assert.ok(statSync(bomb).size < MAX_BYTES);
  const rb = await upload(a.tracking_token, [{ file: bomb, type: 'image/png' }], { 'Accept-Language': 'en' });
  const eb = assertError(rb, 422, 'photo_invalid');
  assert.equal(eb.fields.photo.code, 'photo_too_many_pixels');
  assert.match(eb.fields.photo.message, /50000000/);
  await nothingStored(before);
  // under the pixel cap but 16-bit RGBA (5000 × 5000 × 4 × 2 = 200 MB decoded): refused
  // from its header too, and a part that is not an image is refused before any decoding
  const black = path.join(work, 'black16.v'), wide = path.join(work, 'wide16.v');
  const deep = path.join(work, 'deep16.png');
  execFileSync('vips', ['black', black, '5000', '5000', '--bands', '4']);
  execFileSync('vips', ['cast', black, wide, 'ushort']);
  execFileSync('vips', ['copy', wide, deep, '--interpretation', 'rgb16']);
  assert.ok(statSync(deep).size < MAX_BYTES);
  const rd = await upload(a.tracking_token, [{ file: deep, type: 'image/png' }], { 'Accept-Language': 'en' });
  assert.equal(assertError(rd, 422, 'photo_invalid').fields.photo.code, 'photo_too_many_pixels');
  const script = { bytes: Buffer.from('#!/bin/sh\necho hi\n'), name: 'x.jpg', type: 'image/jpeg' };
  const rs = await upload(a.tracking_token, [{ file: deep, type: 'image/png' }, script]);
  assertError(rs, 415, 'photo_type');
  await nothingStored(before);
});

test('the sixth photo is refused, nothing stored, also under concurrent uploads', async () => {
  const a = await newAppeal();
  const five = [1, 2, 3, 4, 5].map((i) => ({ file: makeImage(`five${i}.jpg`, 64, 64) }));
  const r1 = await upload(a.tracking_token, five.slice(0, 3));
  assert.equal(r1.status, 201, r1.text);
  const before3 = await snapshot();
  const tooMany = await upload(a.tracking_token, five.slice(3).concat([{ file: makeImage('six.jpg', 64, 64) }]), { 'Accept-Language': 'en' });
  const e0 = assertError(tooMany, 409, 'photo_too_many');
  assert.match(e0.fields.photo.message, /5/);
  await nothingStored(before3);
  const r2 = await upload(a.tracking_token, five.slice(3));
  assert.equal(r2.status, 201, r2.text);
  const before = await snapshot();
  const r = await upload(a.tracking_token, [{ file: makeImage('six.jpg', 64, 64) }]);
  assertError(r, 409, 'photo_too_many');
  await nothingStored(before);
  assert.equal(Number(await srv.sql(`SELECT count(*) FROM photos p JOIN appeals a ON a.id = p.appeal_id WHERE a.number = '${a.number}'`)), 5);
  // concurrent uploads cannot pass the limit together
  const b = await newAppeal();
  const racers = await Promise.all([1, 2, 3, 4].map((i) => upload(b.tracking_token, [{ file: makeImage(`r${i}a.jpg`, 32, 32) }, { file: makeImage(`r${i}b.jpg`, 32, 32) }])));
  const ok = racers.filter((x) => x.status === 201).length;
  assert.equal(ok, 2, racers.map((x) => x.status).join(','));
  assert.equal(Number(await srv.sql(`SELECT count(*) FROM photos p JOIN appeals a ON a.id = p.appeal_id WHERE a.number = '${b.number}'`)), 4);
});

test('a failed row insert removes the files it wrote, but not content another row uses', async () => {
  const a = await newAppeal();
  const shared = makeImage('shared.jpg', 90, 90);
  assert.equal((await upload(a.tracking_token, [{ file: shared }])).status, 201);
  const before = await snapshot();
  if (DB_KIND === 'pg') {
    await srv.sql("CREATE FUNCTION no_photos() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql");
    await srv.sql('CREATE TRIGGER no_photos BEFORE INSERT ON photos FOR EACH ROW EXECUTE FUNCTION no_photos()');
  } else {
    await srv.sql("CREATE TRIGGER no_photos BEFORE INSERT ON photos BEGIN SELECT RAISE(ABORT, 'injected'); END");
  }
  try {
    const r = await upload(a.tracking_token, [{ file: shared }, { file: makeImage('new.jpg', 70, 70) }]);
    assertError(r, 500, 'internal_error');
    await nothingStored(before); // the shared files stay, the new ones are gone
  } finally {
    await srv.sql('DROP TRIGGER no_photos' + (DB_KIND === 'pg' ? ' ON photos' : ''));
  }
  assert.equal((await upload(a.tracking_token, [{ file: makeImage('after.jpg', 70, 70) }])).status, 201);
});

test('multipart framing errors: 400 multipart_invalid; no photo part: 422', async () => {
  const a = await newAppeal();
  const before = await snapshot();
  const url = `/api/v1/track/${a.tracking_token}/photos`;
  assertError(await call(srv.url, 'POST', url, { body: 'x', headers: { 'Content-Type': 'multipart/form-data' } }), 400, 'multipart_invalid');
  assertError(await call(srv.url, 'POST', url, { json: { photo: 'x' } }), 400, 'multipart_invalid');
  const truncated = '--XyZ\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n\xff\xd8\xff';
  assertError(await call(srv.url, 'POST', url, { body: truncated, headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' } }), 400, 'multipart_invalid');
  const huge = `--XyZ\r\nContent-Disposition: form-data; name="photo"\r\nX-Pad: ${'a'.repeat(5000)}\r\n\r\nzz\r\n--XyZ--\r\n`;
  assertError(await call(srv.url, 'POST', url, { body: huge, headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' } }), 400, 'multipart_invalid');
  const many = Array.from({ length: 20 }, () => '--XyZ\r\nContent-Disposition: form-data; name="photo"\r\n\r\nzz\r\n').join('') + '--XyZ--\r\n';
  assertError(await call(srv.url, 'POST', url, { body: many, headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' } }), 400, 'multipart_invalid');
  const other = new FormData();
  other.append('note', 'hello');
  const r = await call(srv.url, 'POST', url, { body: other });
  assertError(r, 422, 'validation_failed');
  assert.ok(r.body.error.fields.note);
  await nothingStored(before);
});

test('who sees what: another token, no session, an executor of another organisation → 404', async () => {
  const a = await newAppeal();
  const b = await newAppeal();
  const r = await upload(a.tracking_token, [{ file: makeImage('mine.jpg', 80, 60) }]);
  const id = r.body.photos[0].id;
  for (const u of [`/api/v1/track/${b.tracking_token}/photos/${id}`, `/api/v1/track/${b.tracking_token}/photos/${id}/thumb`]) {
    assertError(await call(srv.url, 'GET', u), 404, 'photo_not_found');
  }
  assertError(await call(srv.url, 'GET', `/api/v1/track/${'x'.repeat(43)}/photos/${id}`), 404, 'tracking_not_found');
  assertError(await call(srv.url, 'GET', `/api/v1/photos/${id}`), 404, 'photo_not_found');
  assertError(await call(srv.url, 'GET', `/api/v1/photos/${id}/thumb`), 404, 'photo_not_found');
  assertError(await otherExec.call('GET', `/api/v1/photos/${id}`), 404, 'photo_not_found');
  assertError(await staff.analyst.call('GET', `/api/v1/photos/${id}`), 404, 'photo_not_found');
  for (const role of ['operator', 'dispatcher', 'executor', 'supervisor']) {
    const res = await staff[role].call('GET', `/api/v1/photos/${id}`);
    assert.equal(res.status, 200, `${role}: ${res.status}`);
  }
  // a subscriber's ("me too") link does not upload
  const sub = await call(srv.url, 'POST', `/api/v1/appeals/${a.number}/subscriptions`, { json: { phone: '+380671112233' } });
  if (sub.status === 201 && sub.body.tracking_token) {
    assertError(await upload(sub.body.tracking_token, [{ file: makeImage('sub.jpg', 32, 32) }]), 404, 'tracking_not_found');
  }
});

test('a public thumbnail is anyone\'s only after a dispatcher made it public', async () => {
  const a = await newAppeal();
  const r = await upload(a.tracking_token, [{ file: makeImage('pub.jpg', 120, 90) }]);
  const id = r.body.photos[0].id;
  assertError(await call(srv.url, 'GET', `/api/v1/photos/${id}/thumb`), 404, 'photo_not_found');
  assert.deepEqual((await call(srv.url, 'GET', `/api/v1/appeals/${a.number}`)).body.photos, []);
  assertError(await staff.executor.call('POST', `/api/v1/photos/${id}`, { json: { public: true } }), 403, 'forbidden');
  assertError(await staff.dispatcher.call('POST', `/api/v1/photos/${id}`, { json: { public: true }, headers: { 'X-CSRF-Token': 'bad' } }), 403, 'csrf_failed');
  assertError(await otherExec.call('POST', `/api/v1/photos/${id}`, { json: { public: true } }), 404, 'photo_not_found');
  assertError(await staff.dispatcher.call('POST', `/api/v1/photos/${id}`, { json: { public: 'yes' } }), 422, 'validation_failed');
  const on = await staff.dispatcher.call('POST', `/api/v1/photos/${id}`, { json: { public: true } });
  assert.equal(on.status, 200, on.text);
  assertSchema('Photo', on.body);
  assert.equal(on.body.public, true);
  const th = await fetch(`${srv.url}/api/v1/photos/${id}/thumb`);
  assert.equal(th.status, 200);
  assert.match(th.headers.get('cache-control'), /^public/);
  assertError(await call(srv.url, 'GET', `/api/v1/photos/${id}`), 404, 'photo_not_found'); // the full image stays private
  const pub = await call(srv.url, 'GET', `/api/v1/appeals/${a.number}`);
  assert.equal(pub.body.photos.length, 1);
  assert.equal(pub.body.photos[0].url, null);
  assert.equal(pub.body.photos[0].thumb_url, `/api/v1/photos/${id}/thumb`);
  assertSchema('AppealPublic', pub.body);
  const off = await staff.supervisor.call('POST', `/api/v1/photos/${id}`, { json: { public: false } });
  assert.equal(off.status, 200, off.text);
  assertError(await call(srv.url, 'GET', `/api/v1/photos/${id}/thumb`), 404, 'photo_not_found');
});

test('staff done-photos: the executor of the organisation, not another one, not an operator; none once closed', async () => {
  const a = await newAppeal();
  const file = makeImage('done.jpg', 160, 120);
  const up = (s, csrf) => s.call('POST', `/api/v1/appeals/${a.number}/photos`, { body: form([{ file }]), headers: csrf ? { 'X-CSRF-Token': csrf } : {} });
  assertError(await call(srv.url, 'POST', `/api/v1/appeals/${a.number}/photos`, { body: form([{ file }]) }), 401, 'auth_required');
  assertError(await up(staff.executor, 'bad'), 403, 'csrf_failed');
  assertError(await up(otherExec), 404, 'appeal_not_found');
  assertError(await up(staff.operator), 403, 'forbidden');
  const r = await up(staff.executor);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.photos[0].kind, 'done');
  assert.equal(r.body.photos[0].url, `/api/v1/photos/${r.body.photos[0].id}`);
  // the same content again (another appeal): one file, two rows
  const b = await newAppeal();
  const filesBefore = storedFiles().length;
  const r2 = await staff.executor.call('POST', `/api/v1/appeals/${b.number}/photos`, { body: form([{ file }]) });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(storedFiles().length, filesBefore, 'same content, same file');
  const card = await staff.dispatcher.call('GET', `/api/v1/staff/appeals/${a.number}`);
  assert.equal(card.status, 200);
  assert.equal(card.body.photos.length, 1);
  assertSchema('AppealStaff', card.body);
  const ev = card.body.events.find((e) => e.kind === 'photos_added');
  assert.ok(ev && !ev.public && ev.actor === 'staff:ph-executor', JSON.stringify(card.body.events));
  // a closed appeal takes no photos
  const c = await newAppeal();
  assert.equal((await staff.executor.call('POST', `/api/v1/appeals/${c.number}/actions`, { json: { action: 'done', comment: 'Воду подано' } })).status, 200);
  const rj = await staff.dispatcher.call('POST', `/api/v1/appeals/${c.number}/photos`, { body: form([{ file }]) });
  assert.equal(rj.status, 201, 'done is still open for photos: ' + rj.text);
  await srv.sql(`UPDATE appeals SET status = 'closed' WHERE number = '${c.number}'`);
  const before = await snapshot();
  assertError(await staff.executor.call('POST', `/api/v1/appeals/${c.number}/photos`, { body: form([{ file: makeImage('late.jpg', 40, 40) }]) }), 409, 'action_not_allowed');
  assertError(await upload(c.tracking_token, [{ file: makeImage('late2.jpg', 40, 40) }]), 409, 'action_not_allowed');
  await nothingStored(before);
});
