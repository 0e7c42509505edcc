// Browser test of the reports page (web/staff/reports.html): without a
// session it goes to the staff sign-in; an analyst sees the shared staff
// header (name, role, nav), the scorecards and the violations register,
// filters by keyboard, gets a CSV link, switches to English (header and
// page); a supervisor on a phone has the same header and signs out; an
// operator is sent to the operator's home without a report being asked
// for; no page problems (CSP, errors) on a desktop and a phone.
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
  for (const role of ['analyst', 'operator', 'supervisor']) sessions[role] = await signIn(server, addUser(server, { login: 'b-' + role, role, name: 'Ірина ' + role }));
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
  // the shared staff header (web/js/staff.js): name, role, the role's pages
  await page.locator('#staff-who .who-name').waitFor();
  assert.equal(await page.locator('#staff-who .who-name').textContent(), 'Ірина analyst');
  assert.equal(await page.locator('#staff-who .who-role').textContent(), 'аналітик');
  assert.deepEqual(await page.locator('#staff-nav a').allInnerTexts(), ['Аналітика', 'Звіти']);
  assert.equal(await page.locator('#staff-nav a[aria-current="page"]').textContent(), 'Звіти');
  assert.equal(await page.locator('#logout').isVisible(), true);
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
  assert.match(await page.locator('#viol-total').textContent(), /Found: 1/);
  // the header follows the switch too (staff-text)
  assert.equal(await page.locator('#staff-who .who-role').textContent(), 'analyst');
  assert.deepEqual(await page.locator('#staff-nav a').allInnerTexts(), ['Analytics', 'Reports']);
  assert.equal(await page.locator('#logout').textContent(), 'Sign out');
  assert.equal(await page.locator('#lang-switch').textContent(), 'Українська');
  assert.equal(await page.title(), 'Reports — Kontakt');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a supervisor on a desktop and a phone: the shared header, the page fits and works, sign out', async () => {
  const desk = await openAs('supervisor', DESKTOP);
  await desk.page.goto(server.url + '/staff/reports.html');
  await desk.page.locator('#viol-table tbody tr').first().waitFor();
  await desk.page.locator('#staff-who .who-name').waitFor();
  await desk.page.screenshot({ path: path.join(OUT, 'reports-supervisor-desktop.png'), fullPage: true });
  assert.deepEqual(desk.problems, []);
  await desk.ctx.close();

  const { ctx, page, problems } = await openAs('supervisor', PHONE);
  await page.goto(server.url + '/staff/reports.html');
  await page.locator('#viol-table tbody tr').first().waitFor();
  await page.locator('#staff-who .who-name').waitFor();
  assert.match(await page.locator('#staff-who').innerText(), /Ірина supervisor[\s\S]*контролер/);
  assert.deepEqual(await page.locator('#staff-nav a').allInnerTexts(), ['Гаряча лінія', 'Черги', 'Аналітика', 'Звіти']);
  assert.equal(await page.locator('#staff-nav a[aria-current="page"]').textContent(), 'Звіти');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(OUT, 'reports-phone.png'), fullPage: true });

  // logout ends the session: back to the sign-in, and the page stays shut
  await page.click('#logout');
  await page.waitForURL(/\/staff\/login\.html/);
  await page.goto(server.url + '/staff/reports.html');
  await page.waitForURL(/\/staff\/login\.html\?next=%2Fstaff%2Freports\.html/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('an operator is sent to the hotline console, and no report is asked for', async () => {
  const { ctx, page, problems } = await openAs('operator');
  const asked = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (/^\/api\/v1\/(scorecards|violations)/.test(u.pathname)) asked.push(u.pathname);
  });
  await page.goto(server.url + '/staff/reports.html');
  await page.waitForURL(/\/staff\/operator\.html$/);
  await page.locator('#staff-who .who-name').waitFor();
  // the operator's sections do not include reports
  const nav = await page.locator('#staff-nav a').allInnerTexts();
  assert.deepEqual(nav, ['Гаряча лінія']);
  assert.deepEqual(asked, []);
  assert.deepEqual(problems, []);
  await ctx.close();
});
