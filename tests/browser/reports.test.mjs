// Browser test of the reports page (web/staff/reports.html): without a
// session it goes to the staff sign-in; an analyst sees the scorecards and
// the violations register, filters by keyboard, gets a CSV link, switches
// to English; an operator is told reports are not for the role; no page
// problems (CSP, errors) on a desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, freshDatabase, kontakt } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';

const db = freshDatabase();
let server;
let browser;
const sessions = {};

before(async () => {
  kontakt(['migrate', '--db', db.url]);
  kontakt(['demo', '--db', db.url, '--count', '200']);
  // Violations as the sweeper and the applicants' actions record them (the
  // sweeper itself is tested in tests/unit/test_sweep.c and tests/http),
  // written before the server (and its sweeper) holds the database.
  const now = Date.now();
  const ids = db.query('SELECT id FROM appeals ORDER BY id LIMIT 3').split('\n').map(Number);
  const kinds = ['reaction_missed', 'resolution_missed', 'low_rating'];
  db.query(ids.map((id, i) => `INSERT INTO violations (appeal_id, organisation, kind, user_id, at, note)
    SELECT id, organisation, '${kinds[i]}', NULL, ${now - i * 3600000}, ${i === 2 ? "'Оцінка 1'" : 'NULL'} FROM appeals WHERE id = ${id}`).join(';'));
  server = await startServer({ db });
  for (const role of ['analyst', 'operator']) sessions[role] = await signIn(server, addUser(server, { login: 'b-' + role, role, name: 'Ірина ' + role }));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  db.drop();
});

async function openAs(role, device = DESKTOP, opts) {
  const o = await openPage(browser, server.url, device, opts);
  if (role) {
    const [name, value] = sessions[role].cookie.split('=');
    await o.ctx.addCookies([{ name, value, url: server.url }]);
  }
  return o;
}

test('without a session the page goes to the staff sign-in and says where to come back', async () => {
  const { ctx, page } = await openAs(null);
  await page.goto(server.url + '/staff/reports.html');
  await page.waitForURL(/\/staff\/login\.html/);
  assert.equal(new URL(page.url()).searchParams.get('next'), '/staff/reports.html');
  await ctx.close();
});

test('an analyst sees the scorecards and the register, filters with the keyboard, gets the CSV link', async () => {
  const { ctx, page, problems } = await openAs('analyst');
  await page.goto(server.url + '/staff/reports.html');
  const cards = page.locator('#cards-table tbody tr');
  await cards.first().waitFor();
  const orgs = Number(db.query('SELECT COUNT(*) FROM organisations'));
  assert.equal(await cards.count(), orgs);
  assert.match(await page.locator('#cards-table tbody').textContent(), /Водоканал/);
  assert.match(await page.locator('#who').textContent(), /Ірина analyst/);
  const rows = page.locator('#viol-table tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 3);
  assert.match(await page.locator('#viol-total').textContent(), /Знайдено: 3/);
  await page.screenshot({ path: path.join(OUT, 'reports-desktop.png'), fullPage: true });

  // keyboard only: choose "low rating" and press Enter on "Show"
  await page.locator('#viol-kind').focus();
  await page.keyboard.press('End'); // the last option: low_rating
  await page.keyboard.press('Tab'); // from
  await page.keyboard.press('Tab'); // to
  await page.keyboard.press('Tab'); // Show
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#viol-table tbody tr').length === 1);
  assert.match(await rows.first().textContent(), /Низька оцінка.*Оцінка 1/);
  const href = await page.locator('#viol-csv').getAttribute('href');
  assert.equal(href, '/api/v1/violations?kind=low_rating&format=csv');
  const csv = await page.request.get(server.url + href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-disposition'], /attachment/);

  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Reports' }).waitFor();
  assert.match(await page.locator('#viol-table tbody').textContent(), /Low rating/);
  assert.match(await page.locator('#cards-table thead').textContent(), /Overdue now/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('on a phone the page fits and works; an operator is told reports are not for the role', async () => {
  const { ctx, page, problems } = await openAs('analyst', PHONE);
  await page.goto(server.url + '/staff/reports.html');
  await page.locator('#viol-table tbody tr').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(OUT, 'reports-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();

  const op = await openAs('operator');
  await op.page.goto(server.url + '/staff/reports.html');
  await op.page.locator('#page-error:not([hidden])').waitFor();
  assert.match(await op.page.locator('#page-error').textContent(), /лише керівникам, аналітикам/);
  assert.equal(await op.page.locator('#cards').isHidden(), true);
  assert.deepEqual(op.problems, []);
  await op.ctx.close();
});
