// Browser test of the address field of the appeal form: an old street name
// typed offers the new one (keyboard and touch), choosing it fills the field
// and moves the pin; a pin dropped on the map fills an empty address with
// the nearest known one. Offline like tests/browser/appeal.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, freshDatabase, kontakt } from '../lib/server.mjs';

const env = { ...process.env, KONTAKT_DEMO_PLACES: '0' };

let server;
let browser;
let db;
const dir = mkdtempSync(path.join(tmpdir(), 'kontakt-addr-ui-'));

before(async () => {
  const register = path.join(dir, 'renames.json');
  writeFileSync(register, JSON.stringify({
    r61: { oldAreaName: 'Жовтневий', newAreaName: 'Соборний', objects: [
      { type: 'street', oldName: 'Баглія', newName: 'Брацлавська' },
      { type: 'avenue', oldName: 'Карла Маркса', newName: 'Дмитра Яворницького' },
    ] },
  }));
  const csv = path.join(dir, 'addresses.csv');
  writeFileSync(csv, 'street,house,lat,lon\nвул. Брацлавська,12,48.470000,35.030000\n' +
    'вул. Брацлавська,14,48.470300,35.030400\nпросп. Дмитра Яворницького,1,48.458000,35.068000\n');
  db = freshDatabase();
  kontakt(['migrate', '--db', db.url], { env });
  kontakt(['import', 'streets', register, '--db', db.url], { env });
  kontakt(['import', 'addresses', csv, '--db', db.url], { env });
  server = await startServer({ db, env: { KONTAKT_DEMO_PLACES: '0' } });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(device) {
  const { ctx, page, problems } = await openPage(browser, server.url, device);
  await page.goto(server.url + '/appeal.html');
  await page.locator('#map.leaflet-container').waitFor();
  return { ctx, page, problems };
}

const pinAt = (page) => page.evaluate(() => [document.getElementById('lat').value, document.getElementById('lon').value]);

test('an old street name offers the new one; keyboard choice fills the address and moves the pin', async () => {
  const { ctx, page, problems } = await open(DESKTOP);
  const input = page.locator('#address');
  assert.equal(await input.getAttribute('role'), 'combobox');
  assert.equal(await input.getAttribute('aria-autocomplete'), 'list');
  await input.focus();
  await page.keyboard.type('вул. Баглія, 12', { delay: 15 });
  const option = page.locator('#address-suggestions [role="option"]').first();
  await option.waitFor();
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  const text = await option.textContent();
  assert.match(text, /вул\. Брацлавська, 12/);
  assert.match(text, /\(колишня вул\. Баглія\)/);
  await page.screenshot({ path: path.join(OUT, 'address-desktop.png'), fullPage: false });
  await page.keyboard.press('ArrowDown');
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  assert.equal(await input.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
  await page.keyboard.press('Enter'); // chooses; must not submit the form
  assert.equal(await input.inputValue(), 'вул. Брацлавська, 12');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  assert.deepEqual(await pinAt(page), ['48.47', '35.03']);
  assert.equal(await page.locator('.leaflet-marker-icon').count(), 1, 'the pin is on the map');
  assert.equal(await page.locator('#error-summary').isHidden(), true, 'the form was not submitted');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('on a phone: tap a suggestion; a dropped pin fills an empty address with the nearest one, never a typed one', async () => {
  const { ctx, page, problems } = await open(PHONE);
  const input = page.locator('#address');
  await input.tap();
  await page.keyboard.type('карла маркса', { delay: 15 });
  const option = page.locator('#address-suggestions [role="option"]').first();
  await option.waitFor();
  assert.match(await option.textContent(), /просп\. Дмитра Яворницького.*\(колишній просп\. Карла Маркса\)/);
  await page.screenshot({ path: path.join(OUT, 'address-phone.png'), fullPage: false });
  await option.tap();
  assert.equal(await input.inputValue(), 'просп. Дмитра Яворницького');
  assert.deepEqual(await pinAt(page), ['48.458', '35.068']);
  // The map is now centred on the chosen house. A resident's own text is kept...
  await input.fill('біля мого двору');
  await page.locator('#pin-center').click();
  await page.waitForTimeout(400);
  assert.equal(await input.inputValue(), 'біля мого двору');
  // ...an empty field gets the nearest known address of the dropped pin.
  await input.fill('');
  await page.locator('#pin-center').click();
  await page.waitForFunction(() => document.getElementById('address').value !== '');
  assert.equal(await input.inputValue(), 'просп. Дмитра Яворницького, 1');
  assert.deepEqual(problems, []);
  await ctx.close();
});
