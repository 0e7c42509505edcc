// Browser test of photos: a resident files an appeal with a photo chosen in
// the form; the page uploads it with the tracking token after the 201, and
// the tracking page shows its thumbnail (linking to the full image) and an
// "add photo" control; a file that is not an image is refused in words.
// Images are made with the `vips` CLI (libvips-tools).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { addUser } from '../lib/staff.mjs';
import { startServer } from '../lib/server.mjs';

const work = mkdtempSync(path.join(tmpdir(), 'kontakt-photos-browser-'));
let server;
let browser;

function jpeg(name, w, h) {
  const v = path.join(work, name + '.v');
  execFileSync('vips', ['gaussnoise', v, String(w), String(h), '--mean', '128', '--sigma', '50']);
  const j = path.join(work, name + '-3.v');
  execFileSync('vips', ['bandjoin', `${v} ${v} ${v}`, j]);
  const out = path.join(work, name);
  execFileSync('vips', ['cast', j, out, 'uchar']);
  return out;
}

before(async () => {
  server = await startServer({ env: { KONTAKT_VAR_DIR: path.join(work, 'var') } });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  rmSync(work, { recursive: true, force: true });
});

// Signs in through the login page (accounts without TOTP).
async function signInPage(page, url, account) {
  await page.goto(`${url}/staff/login.html`);
  await page.fill('#login', account.login);
  await page.fill('#password', account.password);
  await page.press('#password', 'Enter');
  await page.waitForURL((u) => !u.pathname.endsWith('/login.html'));
  await page.locator('#staff-who .who-name').waitFor();
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });

test('an appeal filed with a photo shows its thumbnail on the tracking page', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  await page.goto(server.url + '/appeal.html');
  await page.locator('#category option[value="water_supply"]').waitFor({ state: 'attached' });
  await page.selectOption('#category', 'water_supply');
  await page.check('#type-no_water');
  await page.fill('#description', 'Тече труба у підвалі, вода заливає підлогу.');
  await page.fill('#lat', '48.4647');
  await page.fill('#lon', '35.0462');
  await page.fill('#name', 'Олена Коваль');
  await page.fill('#phone', '067 123 45 67');
  // the limits are shown to the resident
  assert.match(await page.locator('#photo-input-hint').innerText(), /JPEG, PNG або WebP, до 10 МБ кожне, не більше 5/);
  // a text file is refused before anything is sent
  const notImage = path.join(work, 'notes.txt');
  writeFileSync(notImage, 'not an image');
  await page.setInputFiles('#photo-input', notImage);
  await page.locator('#photo-input-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#photo-input-error').innerText(), /notes\.txt/);
  await page.setInputFiles('#photo-input', jpeg('pipe.jpg', 640, 480));
  await page.locator('#photo-input-error').waitFor({ state: 'hidden' });
  await shot(page, 'photos-appeal-form-phone');
  await page.click('#submit');
  await page.locator('#confirmation').waitFor({ state: 'visible', timeout: 15000 });
  await page.locator('#done-photos-status').filter({ hasText: 'Фото додано: 1' }).waitFor({ timeout: 15000 });
  const link = await page.inputValue('#done-link');

  await page.goto(link);
  await page.locator('#appeal').waitFor({ state: 'visible' });
  const thumb = page.locator('#a-photos img.photo-thumb');
  await thumb.waitFor({ state: 'visible' });
  assert.equal(await thumb.count(), 1);
  await page.waitForFunction(() => { const i = document.querySelector('#a-photos img'); return i && i.complete && i.naturalWidth > 0; });
  const href = await page.locator('#a-photos a').getAttribute('href');
  assert.match(href, /^\/api\/v1\/track\/[A-Za-z0-9_-]{43}\/photos\/\d+$/);
  assert.equal(await page.locator('#photo-form').isVisible(), true, 'an open appeal takes more photos');
  // add a second one from the tracking page
  await page.setInputFiles('#photo-input', jpeg('second.jpg', 300, 400));
  await page.click('#photo-submit');
  await page.locator('#a-photos img.photo-thumb').nth(1).waitFor({ state: 'visible' });
  await page.waitForFunction(() => [...document.querySelectorAll('#a-photos img')].every((i) => i.complete && i.naturalWidth > 0));
  await page.locator('#photos').scrollIntoViewIfNeeded();
  await shot(page, 'photos-track-phone');
  // a refusal from the server is shown in words (a fake JPEG: the type is checked by content)
  const fake = path.join(work, 'fake.jpg');
  writeFileSync(fake, '#!/bin/sh\necho hi\n');
  await page.setInputFiles('#photo-input', fake);
  await page.click('#photo-submit');
  await page.locator('#photo-input-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#photo-input-error').innerText(), /JPEG, PNG або WebP/);
  assert.equal(await page.locator('#a-photos img.photo-thumb').count(), 2);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('staff: the executor adds a photo with "done"; a dispatcher makes it public', async () => {
  const ex = addUser(server, { login: 'ph-exec', role: 'executor', org: 'vodokanal', name: 'Петро Виконавець' });
  const disp = addUser(server, { login: 'ph-disp', role: 'dispatcher', name: 'Дарина Диспетчер' });
  const res = await fetch(server.url + '/api/v1/appeals', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ category: 'water_supply', type: 'no_water', description: 'Немає води в будинку з самого ранку', location: { lat: 48.4647, lon: 35.0462 }, applicant: { name: 'Олена', phone: '067 123 45 67' } }) });
  const { number } = await res.json();

  const exPage = await openPage(browser, server.url, DESKTOP);
  await signInPage(exPage.page, server.url, ex);
  const e = exPage.page;
  await e.goto(`${server.url}/staff/queue.html#queue=organisation&number=${number}`);
  const card = e.locator('#card');
  await card.locator('#card-number').getByText(number).waitFor();
  await card.locator('button[data-action="accept"]').click();
  await card.getByText('Виконано: Прийняти в роботу.').waitFor();
  await card.locator('details.action', { hasText: 'Позначити виконаним' }).locator('summary').click();
  await card.locator('#act-done-comment').fill('Замінено засувку на вводі, воду подано.');
  await e.setInputFiles('#act-done-photos', jpeg('fixed.jpg', 800, 600));
  await card.locator('button[data-action="done"]').click();
  await card.locator('#card-status').getByText('Виконано, очікує підтвердження').waitFor();
  await card.locator('#card-photos img.photo-thumb').waitFor({ state: 'visible' });
  assert.match(await card.locator('#card-photos').innerText(), /від виконавця/);
  assert.equal(await card.locator('[data-photo-public]').count(), 0, 'executors do not publish');
  assert.deepEqual(exPage.problems, []);
  await exPage.ctx.close();

  const dPage = await openPage(browser, server.url, DESKTOP);
  await signInPage(dPage.page, server.url, disp);
  const d = dPage.page;
  await d.goto(`${server.url}/staff/queue.html#queue=triage&number=${number}`);
  const dcard = d.locator('#card');
  await dcard.locator('#card-number').getByText(number).waitFor();
  await dcard.locator('#card-photos img.photo-thumb').waitFor({ state: 'visible' });
  await d.waitForFunction(() => { const i = document.querySelector('#card-photos img'); return i && i.complete && i.naturalWidth > 0; });
  await dcard.locator('[data-photo-public]').click();
  await dcard.locator('#card-photos').getByText('публічне').waitFor();
  await dcard.locator('#card-photos').scrollIntoViewIfNeeded();
  await d.screenshot({ path: path.join(OUT, 'photos-staff-card-desktop.png'), fullPage: true });
  const pub = await (await fetch(`${server.url}/api/v1/appeals/${number}`)).json();
  assert.equal(pub.photos.length, 1);
  assert.equal((await fetch(server.url + pub.photos[0].thumb_url)).status, 200, 'the public thumbnail is anyone\'s');
  assert.deepEqual(dPage.problems, []);
  await dPage.ctx.close();
  // the public map's card shows it to anyone
  const m = await openPage(browser, server.url, PHONE);
  await m.page.goto(`${server.url}/map.html#number=${number}`);
  await m.page.locator('#mp-card-photos img.photo-thumb').waitFor({ state: 'visible' });
  assert.equal(await m.page.locator('#mp-card-photos a').count(), 0, 'thumbnails only: no link to the full image');
  assert.deepEqual(m.problems, []);
  await m.ctx.close();
});
