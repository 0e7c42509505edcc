// Browser test of the hotline console (web/staff/operator.html): a typical
// call registered with at most 12 interactions besides typing the
// description; the script hint of a dangerous type; the same problem
// nearby offered as a subscription; the caller's history; a consultation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { addUser } from '../lib/staff.mjs';

let server, browser, operator;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  operator = addUser(server, { login: 'op-console', role: 'operator', name: 'Марія Оператор' });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function signIn(page) {
  await page.goto(`${server.url}/staff/login.html`);
  await page.fill('#login', operator.login);
  await page.fill('#password', operator.password);
  await page.press('#password', 'Enter');
  await page.waitForURL(/\/staff\/operator\.html$/);
  await page.locator('#staff-who .who-name').waitFor();
}

// Counts every click, key press and fill of a field other than the description.
function counter(page) {
  const c = { n: 0 };
  c.fill = async (sel, v) => { c.n++; await page.fill(sel, v); };
  c.press = async (sel, key) => { c.n++; await page.press(sel, key); };
  c.key = async (key) => { c.n++; await page.keyboard.press(key); };
  c.click = async (sel) => { c.n++; await page.click(sel); };
  return c;
}

test('a typical call is registered with at most 12 interactions besides the description', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await signIn(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'phone', 'the phone field has the focus');
  const c = counter(page);

  await c.fill('#phone', '067 555 12 34');
  await c.fill('#name', 'Степан Бондар');
  await c.fill('#type-search', 'ліфт');
  // Typing «ліфт» finds the elevator types (and only them).
  await page.locator('#type-list [role=option]').first().waitFor();
  const options = await page.locator('#type-list [role=option] .ac-label').allInnerTexts();
  assert.ok(options.includes('Люди застрягли в ліфті') && options.includes('Ліфт не працює'), options.join('|'));
  assert.ok(options.every((o) => /ліфт|кабін|Інше/i.test(o)), options.join('|'));
  await c.key('ArrowDown');
  await c.key('Enter');
  await page.locator('#type-chosen').getByText('Ліфт не працює').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'description', 'Enter on the type moves on to the description');
  await page.fill('#description', 'Ліфт у третьому під’їзді стоїть з ранку, на сьомому поверсі літні люди.');
  await c.fill('#address', 'Яворницького 1');
  await page.locator('#address-suggestions [role=option]').first().waitFor();
  await c.key('ArrowDown');
  await c.key('Enter');
  await page.locator('#pin-text').getByText(/Мітка: 48\.\d+, 3[45]\.\d+/).waitFor();
  await page.screenshot({ path: path.join(OUT, 'console-filled-desktop.png'), fullPage: true });
  await c.key('Alt+KeyR');

  await page.locator('#result').getByText('Звернення зареєстровано').waitFor();
  const number = (await page.locator('#done-number').innerText()).trim();
  assert.match(number, /^\d{4}-\d{6}$/);
  assert.ok(c.n <= 12, `interactions: ${c.n}`);
  console.log(`# console: a typical call took ${c.n} interactions besides the description`);
  const row = server.db.query(`SELECT channel, type, applicant_phone, applicant_name, address FROM appeals WHERE number = '${number}'`);
  assert.equal(row, 'phone|elevator_stopped|+380675551234|Степан Бондар|просп. Дмитра Яворницького, 1');
  // The deadlines are on screen; the form is clear for the next call.
  assert.match(await page.locator('#result').innerText(), /Виконати до/);
  assert.equal(await page.inputValue('#phone'), '');
  assert.equal(await page.inputValue('#description'), '');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'phone');
  await page.screenshot({ path: path.join(OUT, 'console-registered-desktop.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('gas smell: the console tells the operator to send the caller to 104; validation stays on the page', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  await signIn(page);
  await page.fill('#type-search', 'газ');
  await page.locator('#type-list [role=option]').first().waitFor();
  assert.equal(await page.locator('#type-list [role=option] .ac-label').first().innerText(), 'Запах газу');
  await page.press('#type-search', 'Enter');
  await page.locator('#alert-box').getByText('Скажіть абоненту: негайно телефонуйте 104!').waitFor();
  assert.match(await page.locator('#alert-box').innerText(), /не користуйтеся відкритим вогнем/);
  // Register with nothing else: every missing field is named, nothing is sent.
  await page.keyboard.press('Alt+KeyR');
  await page.locator('#phone-error').waitFor({ state: 'visible' });
  for (const id of ['#name-error', '#description-error', '#location-error']) assert.ok(await page.locator(id).isVisible(), id);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'phone');
  await page.screenshot({ path: path.join(OUT, 'console-gas-phone.png'), fullPage: true });
  assert.equal(server.db.query("SELECT COUNT(*) FROM appeals WHERE type = 'gas_smell'"), '0');
  // English is available.
  await page.click('#lang-switch');
  await page.locator('#alert-box').getByText('Tell the caller: call 104 now!').waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the same problem nearby: the caller is subscribed instead of a new appeal', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await signIn(page);
  const before = server.db.query('SELECT COUNT(*) FROM appeals');
  await page.fill('#phone', '050 111 22 33');
  await page.fill('#name', 'Ганна Сусідка');
  await page.fill('#type-search', 'ліфт не');
  await page.press('#type-search', 'Enter');
  await page.locator('#type-chosen').getByText('Ліфт не працює').waitFor();
  await page.fill('#address', 'Яворницького 1');
  await page.locator('#address-suggestions [role=option]').first().waitFor();
  await page.press('#address', 'ArrowDown');
  await page.press('#address', 'Enter');
  const box = page.locator('#dups');
  await box.waitFor({ state: 'visible' });
  const number = server.db.query("SELECT number FROM appeals WHERE type = 'elevator_stopped' ORDER BY id LIMIT 1");
  await box.getByRole('button', { name: `Та сама проблема — підписати абонента на № ${number}` }).click();
  await page.locator('#result').getByText('Абонента підписано на звернення').waitFor();
  assert.equal(server.db.query('SELECT COUNT(*) FROM appeals'), before);
  assert.equal(server.db.query("SELECT COUNT(*) FROM subscriptions WHERE phone = '+380501112233'"), '1');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test("the caller's history shows earlier appeals; a call without an appeal is recorded as a consultation", async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  await signIn(page);
  await page.fill('#phone', '+380675551234');
  await page.press('#phone', 'Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
  const number = server.db.query("SELECT number FROM appeals WHERE applicant_phone = '+380675551234'");
  await page.locator('#history').getByText('№ ' + number).waitFor();
  await page.keyboard.press('Alt+KeyK');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'topic');
  await page.fill('#topic', 'Планові відключення');
  await page.fill('#note', 'Питав про графік відключення води');
  await page.click('#consult-save');
  await page.locator('#result').getByText('Консультацію записано').waitFor();
  assert.equal(server.db.query("SELECT topic, note FROM consultations WHERE phone = '+380675551234'"),
    'Планові відключення|Питав про графік відключення води');
  // The next call from this number sees the consultation too.
  await page.fill('#phone', '067 555 12 34');
  await page.press('#phone', 'Enter');
  await page.locator('#history').getByText('Планові відключення').waitFor();
  await page.screenshot({ path: path.join(OUT, 'console-history-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();
});
