// Browser test of the citizen pages against the real server on a fresh DB:
// the 104 alert, client-side checks, the English switch, server field errors,
// and one real appeal filed through the form and followed to its tracking page.
//
//   node --test tests/browser/
//
// Drives Debian's chromium (/usr/bin/chromium; `apt-get install -y chromium`)
// with playwright-core. Every request that leaves 127.0.0.1 is aborted, as on
// a machine without internet: map tiles fail and the pages must still work.
// Screenshots go to test-results/ (phone 390x844 and desktop 1280x900).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';


let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const open = (device = DESKTOP, opts = {}) => openPage(browser, server.url, device, opts);

const shot = (page, name) => page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });

async function chooseType(page, category, type) {
  await page.locator('#category option[value="' + category + '"]').waitFor({ state: 'attached' });
  await page.selectOption('#category', category);
  await page.check('#type-' + type);
}

test('home page: categories, hotline, emergency numbers, track box', async () => {
  for (const [device, name] of [[PHONE, 'home-phone'], [DESKTOP, 'home-desktop']]) {
    const { ctx, page, problems } = await open(device);
    await page.goto(server.url + '/');
    await page.locator('#categories li a').first().waitFor();
    const cats = await page.locator('#categories li a').count();
    assert.ok(cats >= 10, `categories listed: ${cats}`);
    const first = await page.locator('#categories li a').first().getAttribute('href');
    assert.match(first, /^\/appeal\.html\?category=[a-z_]+$/);
    for (const n of ['101', '102', '103', '104']) {
      assert.equal(await page.locator(`.emergency a[href="tel:${n}"]`).count(), 1, `tel:${n} link`);
    }
    await page.locator('[data-hotline] [data-hotline-link]').first().waitFor();
    assert.match(await page.locator('[data-hotline-link]').first().getAttribute('href'), /^tel:\+?\d+$/);
    assert.equal(await page.locator('a[href="/appeal.html"]').first().isVisible(), true);
    await shot(page, name);
    // Keyboard: the first Tab lands on a visible skip link that jumps to the content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
    const skip = await page.locator('.skip-link').boundingBox();
    assert.ok(skip && skip.y >= 0, 'skip link is on screen when focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    // The track box accepts a whole link and goes to the tracking page.
    await page.fill('#track-input', 'https://example.org/track.html#' + 'A'.repeat(43));
    await page.click('#track-form button[type=submit]');
    await page.waitForURL(/\/track\.html#A{43}$/);
    assert.deepEqual(problems, []);
    await ctx.close();
  }
});

test('gas smell: "call 104 now" alert before the rest of the form', async () => {
  const { ctx, page, problems } = await open(PHONE);
  await page.goto(server.url + '/appeal.html');
  await chooseType(page, 'gas_supply', 'gas_smell');
  const alert = page.locator('#alert-box');
  await alert.waitFor({ state: 'visible' });
  assert.equal(await alert.getAttribute('role'), 'alert');
  assert.match(await alert.innerText(), /Негайно телефонуйте 104/);
  assert.equal(await alert.locator('a[href="tel:104"]').count(), 1);
  // The alert comes before the description, the map and the contacts.
  const before = await page.evaluate(() => {
    const a = document.getElementById('alert-box');
    return ['description', 'map', 'name'].every((id) =>
      a.compareDocumentPosition(document.getElementById(id)) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(before, 'alert precedes the rest of the form');
  // Priority and deadline in words.
  assert.match(await page.locator('#type-info').innerText(), /Аварійне/);
  await alert.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, 'appeal-gas-alert-phone.png') });
  // Another type hides it again.
  await page.check('#type-no_gas');
  await alert.waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('client-side checks: too-short description, bad phone, no pin', async () => {
  const { ctx, page, problems } = await open(DESKTOP);
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST') posts += 1; });
  await page.goto(server.url + '/appeal.html');
  await chooseType(page, 'water_supply', 'no_water');
  await page.fill('#description', 'коротко');
  assert.match(await page.locator('#description-counter').innerText(), /7 з 4000/);
  await page.fill('#phone', '12345');
  await page.click('#submit');
  const err = page.locator('#description-error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.innerText(), /щонайменше 10/);
  assert.equal(await page.getAttribute('#description', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#description', 'aria-describedby'), /description-error/);
  assert.equal(await page.locator('#phone-error').isVisible(), true);
  assert.equal(await page.locator('#location-error').isVisible(), true);
  assert.equal(await page.locator('#name-error').isVisible(), true);
  assert.equal(await page.locator('#error-summary').isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
  await shot(page, 'appeal-errors-desktop');
  // A fixed field clears its message as you type.
  await page.fill('#description', 'Немає води у будинку з самого ранку');
  await err.waitFor({ state: 'hidden' });
  // A pin outside the city is refused before sending.
  await page.fill('#lat', '50.45');
  await page.fill('#lon', '30.52');
  assert.match(await page.locator('#location-error').innerText(), /поза межами/);
  assert.equal(posts, 0, 'nothing was sent');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('English switch changes the UI and is remembered', async () => {
  const { ctx, page, problems } = await open(DESKTOP);
  await page.goto(server.url + '/appeal.html');
  await page.locator('#category option[value="water_supply"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('h1').innerText(), 'Подати звернення');
  await page.click('#lang-switch');
  assert.equal(await page.locator('h1').innerText(), 'File an appeal');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('#lang-switch').innerText(), 'Українська');
  assert.equal(await page.locator('#category option[value="water_supply"]').innerText(), 'Water supply');
  assert.equal(await page.locator('label[for="description"]').innerText(), 'Description *');
  await page.reload();
  assert.equal(await page.locator('h1').innerText(), 'File an appeal');
  await chooseType(page, 'gas_supply', 'gas_smell');
  assert.match(await page.locator('#alert-box').innerText(), /Call 104 now/);
  await page.click('#submit');
  assert.match(await page.locator('#name-error').innerText(), /Fill in this field/);
  await shot(page, 'appeal-en-desktop');
  // ?lang=uk wins over the remembered choice.
  await page.goto(server.url + '/?lang=uk');
  assert.equal(await page.locator('#lang-switch').innerText(), 'English');
  assert.equal(await page.locator('nav a[href="/appeal.html"]').innerText(), 'Подати звернення');
  await page.goto(server.url + '/?lang=en');
  await page.locator('#categories li a').first().waitFor();
  assert.equal(await page.locator('nav a[href="/appeal.html"]').innerText(), 'File an appeal');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('server field errors are shown next to the right inputs', async () => {
  const { ctx, page, problems } = await open(DESKTOP);
  // The client already checks what the server checks, so answer this one
  // POST with a canned 422 to see where the server's messages land.
  await page.route('**/api/v1/appeals', (route) => route.fulfill({
    status: 422,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ error: { code: 'validation_failed', message: 'Перевірте поля звернення', fields: {
      'applicant.phone': { code: 'invalid_phone', message: 'Поле «applicant.phone»: серверна перевірка' },
      'location.address': { code: 'too_long', message: 'Поле «location.address»: задовге' },
      foo: { code: 'unknown_field', message: 'Поле «foo»: невідоме поле' },
    } } }),
  }));
  await page.goto(server.url + '/appeal.html?category=water_supply&type=no_water');
  await page.locator('#type-no_water:checked').waitFor({ state: 'attached' });
  await page.fill('#description', 'Немає води у будинку з самого ранку');
  await page.fill('#lat', '48.4647');
  await page.fill('#lon', '35.0462');
  await page.fill('#name', 'Олена');
  await page.fill('#phone', '067 123 45 67');
  await page.click('#submit');
  await page.locator('#phone-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#phone-error').innerText(), /серверна перевірка/);
  assert.equal(await page.getAttribute('#phone', 'aria-invalid'), 'true');
  assert.match(await page.locator('#address-error').innerText(), /задовге/);
  assert.match(await page.locator('#error-summary').innerText(), /невідоме поле/);
  // Editing the field clears the server's message for it.
  await page.fill('#phone', '067 123 45 68');
  await page.locator('#phone-error').waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('files a real appeal through the form and follows the tracking link', async () => {
  const { ctx, page, problems } = await open(PHONE);
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/appeals')) posts.push(r.headers());
  });
  await page.goto(server.url + '/appeal.html');
  await chooseType(page, 'water_supply', 'no_water');
  assert.match(await page.locator('#type-info').innerText(), /Аварійне/);
  assert.match(await page.locator('label[for="type-no_water"]').innerText(), /виконання протягом/);
  await page.fill('#description', 'Немає холодної води в усьому будинку з восьмої ранку.');
  // Drop a pin: a click near the middle of the map (tiles are offline).
  const map = page.locator('#map');
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  await page.mouse.click(box.x + box.width / 2 + 20, box.y + box.height / 2 - 15);
  await page.waitForFunction(() => document.getElementById('lat').value !== '');
  const lat = Number(await page.inputValue('#lat'));
  const lon = Number(await page.inputValue('#lon'));
  assert.ok(lat > 48.33 && lat < 48.6 && lon > 34.74 && lon < 35.25, `pin inside the city: ${lat},${lon}`);
  assert.equal(await page.locator('.leaflet-marker-icon').count(), 1, 'a marker on the map');
  await page.fill('#address', 'просп. Дмитра Яворницького, 1');
  await page.fill('#name', 'Олена Коваль');
  await page.fill('#phone', '067 123 45 67');
  await shot(page, 'appeal-filled-phone');
  await page.click('#submit');

  await page.locator('#confirmation').waitFor({ state: 'visible', timeout: 15000 });
  const number = (await page.locator('#done-number').innerText()).trim();
  assert.match(number, /^\d{4}-\d{6}$/);
  assert.equal(posts.length, 1);
  assert.ok(posts[0]['idempotency-key'] && posts[0]['idempotency-key'].length >= 16, 'Idempotency-Key sent');
  const link = await page.inputValue('#done-link');
  assert.ok(link.startsWith(server.url + '/track.html#'), link);
  assert.match(await page.locator('#done-reaction').innerText(), /\d{2}:\d{2}/);
  assert.notEqual((await page.locator('#done-org').innerText()).trim(), '');
  // the district found by point-in-polygon (one of the 8, all ending in -ий)
  assert.match((await page.locator('#done-district').innerText()).trim(), /ий$|поза межами/);
  assert.match(await page.locator('#done-warning').innerText(), /не передавайте/);
  await shot(page, 'appeal-confirmation-phone');

  await page.goto(link);
  await page.locator('#appeal').waitFor({ state: 'visible' });
  assert.equal((await page.locator('#a-number').innerText()).trim(), number);
  // Routed at intake to a real service: registered, then at once assigned (docs/STAFF.md).
  assert.match(await page.locator('#a-status').innerText(), /Передано виконавцю/);
  assert.match(await page.locator('#a-timeline li').first().innerText(), /Звернення зареєстровано/);
  assert.match(await page.locator('#a-timeline li').nth(1).innerText(), /Передано виконавцю/);
  assert.match(await page.locator('#a-description').innerText(), /восьмої ранку/);
  assert.match(await page.locator('#dl-resolution').innerText(), /залишилось/);
  assert.match(await page.locator('#a-address').innerText(), /Яворницького/);
  assert.match((await page.locator('#a-district').innerText()).trim(), /ий$|поза межами/);
  await shot(page, 'track-phone');
  await page.setViewportSize(DESKTOP.viewport);
  await shot(page, 'track-desktop');

  // The same page in English.
  await page.click('#lang-switch');
  assert.match(await page.locator('#a-status').innerText(), /Assigned to a service/);
  assert.match(await page.locator('#a-timeline li').first().innerText(), /Appeal registered/);
  assert.match((await page.locator('#a-district').innerText()).trim(), /yi$|outside/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a failed submission is retried with the same Idempotency-Key', async () => {
  const { ctx, page, problems } = await open(DESKTOP);
  const keys = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/appeals')) keys.push(r.headers()['idempotency-key']);
  });
  let drop = true;
  await page.route('**/api/v1/appeals', (route) => (drop ? route.abort('connectionreset') : route.continue()));
  await page.goto(server.url + '/appeal.html?category=heating&type=no_heating');
  await page.locator('#type-no_heating:checked').waitFor({ state: 'attached' });
  await page.fill('#description', 'Холодні батареї у всьому під’їзді другий день');
  await page.fill('#lat', '48,4602');   // a decimal comma is fine too
  await page.fill('#lon', '35.0301');
  await page.fill('#name', 'Петро');
  await page.fill('#phone', '+38 (050) 123-45-67');
  await page.click('#submit');
  await page.locator('#submit-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#submit-error').innerText(), /Немає зв’язку/);
  drop = false;
  await page.click('#submit');
  await page.locator('#confirmation').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'the retry reuses the key');
  assert.match(await page.locator('#done-number').innerText(), /^\d{4}-\d{6}$/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('tracking page: unknown token', async () => {
  const { ctx, page, problems } = await open(PHONE);
  await page.goto(server.url + '/track.html#' + 'x'.repeat(43));
  await page.locator('#track-missing').waitFor({ state: 'visible' });
  assert.match(await page.locator('#track-missing').innerText(), /не знайдено/);
  assert.equal(await page.locator('#track-form').isVisible(), true);
  await shot(page, 'track-unknown-phone');
  assert.deepEqual(problems, []);
  await ctx.close();
});
