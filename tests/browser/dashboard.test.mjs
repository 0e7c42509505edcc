// Browser test of the analytics dashboard (web/staff/dashboard.html) on
// the real server and database (KONTAKT_TEST_DB=sqlite|pg): a small fixture
// whose figures are known — appeals made through the API, then moved to
// known dates, states, durations and ratings with SQL before the server
// (and its statistics index) starts again — checked in the KPI tiles, a
// chart's table, the problem points and the scorecards; the period changed
// (figures change, the address keeps the view, back returns), the filter
// used with the keyboard alone, an XLSX downloaded and read by a real
// spreadsheet reader; a supervisor sees the page, an executor is refused;
// the page at 360 px, and with a period without appeals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, freshDatabase, validAppeal, ROOT } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';

const db = freshDatabase();
let server;
let browser;
const sessions = {};
const H = 3600 * 1000;
// 09:00 UTC = 12:00 in Kyiv (summer time until 25 October)
const at = (month, day) => Date.UTC(2026, month - 1, day, 9, 0, 0);

// The fixture. October 2026: five water appeals at one address (done after
// 10/20/30/40/50 h, deadline 36 h: three on time, median 30 h; one
// reopened; ratings 5 and 3), two heating appeals still open and past
// their deadline, one trial water appeal (left out unless asked for).
// September 2026: two sewerage appeals done in 5 h.
const FIXTURE = [
  ...[10, 20, 30, 40, 50].map((hours, i) => ({ month: 10, day: 5 + i, cat: 'water_supply', type: 'no_water', done: hours,
    rating: [5, 3, null, null, null][i], reopened: i === 2 })),
  { month: 10, day: 10, cat: 'heating', type: 'no_heating', open: true, lat: 48.45, lon: 35.02, address: 'вул. Січеславська Набережна, 15' },
  { month: 10, day: 11, cat: 'heating', type: 'no_heating', open: true, lat: 48.47, lon: 35.03, address: 'вул. Старокозацька, 2' },
  { month: 10, day: 12, cat: 'water_supply', type: 'no_water', done: 5, trial: true },
  { month: 9, day: 10, cat: 'sewerage', type: 'blockage_flooding', done: 5, lat: 48.44, lon: 35.06, address: 'вул. Набережна Перемоги, 32' },
  { month: 9, day: 11, cat: 'sewerage', type: 'blockage_flooding', done: 5, lat: 48.43, lon: 35.05, address: 'вул. Набережна Перемоги, 40' },
];

async function seed() {
  // The appeals through the real intake (district, organisation, deadlines).
  const first = await startServer({ db });
  const numbers = [];
  try {
    for (const f of FIXTURE) {
      const body = validAppeal({ category: f.cat, type: f.type, channel: f.cat === 'heating' ? 'email' : 'web' });
      if (f.lat) body.location = { lat: f.lat, lon: f.lon, address: f.address };
      const r = await fetch(first.url + '/api/v1/appeals', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body) });
      const j = await r.json();
      assert.equal(r.status, 201, JSON.stringify(j));
      numbers.push(j.number);
    }
  } finally {
    await first.stop();
  }
  // Their dates and outcomes, written while no server holds the database.
  db.query(FIXTURE.map((f, i) => {
    const created = at(f.month, f.day);
    const due = created + (f.open ? 24 : 36) * H;
    const done = f.open ? 'NULL' : String(created + f.done * H);
    return `UPDATE appeals SET created_at = ${created}, updated_at = ${f.open ? created : created + f.done * H},
      reaction_due_at = ${created + 2 * H}, resolution_due_at = ${due}, reacted_at = ${created + H},
      status = '${f.open ? 'in_progress' : 'done'}', done_at = ${done}, next_check_at = ${f.open ? created + H : 'NULL'},
      rating = ${f.rating ?? 'NULL'}, reopen_count = ${f.reopened ? 1 : 0}, trial = ${f.trial ? 1 : 0}
      WHERE number = '${numbers[i]}'`;
  }).join(';\n'));
  // one violation recorded in October (the register of the same period)
  db.query(`INSERT INTO violations (appeal_id, organisation, kind, user_id, at, note)
    SELECT id, organisation, 'resolution_missed', NULL, ${at(10, 11)}, NULL FROM appeals WHERE number = '${numbers[4]}'`);
  return numbers;
}

before(async () => {
  await seed();
  server = await startServer({ db });
  for (const role of ['analyst', 'supervisor', 'executor']) {
    sessions[role] = await signIn(server, addUser(server, { login: 'd-' + role, role, org: role === 'executor' ? 'vodokanal' : undefined,
      name: 'Оксана ' + role }));
  }
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  db.drop();
});

async function openAs(role, device = DESKTOP) {
  const o = await openPage(browser, server.url, device);
  const [name, value] = sessions[role].cookie.split('=');
  await o.ctx.addCookies([{ name, value, url: server.url }]);
  return o;
}

const kpi = (page, key) => page.locator(`[data-kpi="${key}"] .kpi-value`);
const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();

// The rows of a chart's table: [[label, appeals, share, …], …].
async function tableRows(page, chart) {
  return page.locator(`table[data-table="${chart}"] tbody tr`).evaluateAll((rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
}

async function waitKpi(page, key, value) {
  await page.waitForFunction(([k, v]) => {
    const n = document.querySelector(`[data-kpi="${k}"] .kpi-value`);
    return n && n.textContent.replace(/\s+/g, ' ').trim() === v && !document.getElementById('dash').hasAttribute('aria-busy');
  }, [key, value]);
}

test('an analyst sees the fixture’s figures, changes the period, the address keeps the view and back returns', async () => {
  const { ctx, page, problems } = await openAs('analyst');
  await page.goto(server.url + '/staff/dashboard.html?from=2026-10-01&to=2026-10-31');
  await waitKpi(page, 'appeals', '7');
  assert.equal(await text(kpi(page, 'open_now')), '2');
  assert.equal(await text(kpi(page, 'overdue_now')), '2');
  assert.equal(await text(kpi(page, 'on_time_share')), '60%');
  assert.equal(await text(kpi(page, 'reopen_share')), '20%');
  assert.equal(await text(kpi(page, 'median_hours_to_done')), '30 год');
  assert.equal(await text(kpi(page, 'average_rating')), '4');
  assert.match(await text(page.locator('[data-kpi="average_rating"] .kpi-sub')), /оцінок: 2/);
  assert.equal(await text(kpi(page, 'trial_left_out')), '1');
  // the top-10 chart's table: its numbers and shares
  assert.deepEqual(await tableRows(page, 'category'), [['Водопостачання', '5', '71,4%'], ['Опалення', '2', '28,6%']]);
  assert.deepEqual((await tableRows(page, 'hour')).filter((r) => r[1] !== '0'), [['12:00', '7']]);
  // the trend: one row per day of October, 31 in all, seven appeals
  const trend = await tableRows(page, 'trend');
  assert.equal(trend.length, 31);
  assert.equal(trend.reduce((s, r) => s + Number(r[1]), 0), 7);
  assert.deepEqual(trend[4], ['05.10.2026', '1']);
  // the chart is drawn (Chart.js from /vendor), with a text for screen readers
  assert.match(await page.locator('section[data-chart="category"] canvas').getAttribute('aria-label'), /Водопостачання \(5\)/);
  // problem points: the five water appeals at one address
  const addr = page.locator('#pp-addr tbody tr');
  assert.equal(await addr.count(), 1);
  assert.deepEqual(await page.locator('#pp-addr tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim()))),
    [['просп. Дмитра Яворницького, 1', 'Водопостачання', '5', '05.10.2026', '09.10.2026']]);
  assert.ok(await page.locator('#dash-map path').count() >= 1, 'the heat layer is drawn');
  // a row's button shows the place on the map
  await addr.first().locator('button').click();
  await page.locator('#dash-map .leaflet-tooltip', { hasText: 'Водопостачання' }).waitFor();
  // scorecards of the same period, side by side with the register
  await page.locator('#cards-table tbody tr').first().waitFor();
  const water = await page.locator('#cards-table tbody tr', { hasText: 'Водоканал' }).first()
    .evaluate((r) => [...r.cells].map((c) => c.textContent.trim()));
  assert.deepEqual(water.slice(1, 3), ['5', '60%']); // appeals, on time
  await page.locator('#viol-table tbody tr').first().waitFor();
  assert.equal(await page.locator('#viol-table tbody tr').count(), 1);
  assert.match(await text(page.locator('#viol-table tbody tr')), /Не виконано вчасно/);
  await page.screenshot({ path: path.join(OUT, 'dashboard-desktop.png'), fullPage: true });

  // the period changes: September — other figures, and the address says so
  await page.fill('#f-from', '2026-09-01');
  await page.fill('#f-to', '2026-09-30');
  await page.click('#f-show');
  await waitKpi(page, 'appeals', '2');
  assert.equal(await text(kpi(page, 'on_time_share')), '100%');
  assert.equal(await text(kpi(page, 'median_hours_to_done')), '5 год');
  assert.equal(await text(kpi(page, 'open_now')), '2'); // open now: whenever registered
  assert.deepEqual(await tableRows(page, 'category'), [['Каналізація', '2', '100%']]);
  assert.equal(await page.locator('#pp-addr tbody tr').count(), 1); // the "none" row
  assert.match(await text(page.locator('#pp-addr tbody')), /Повторних звернень за період немає/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('from'), '2026-09-01');
  assert.equal(url.searchParams.get('to'), '2026-09-30');
  // the trial appeal counted on request
  await page.goBack();
  await waitKpi(page, 'appeals', '7');
  assert.equal(await page.inputValue('#f-from'), '2026-10-01');
  await page.check('#f-trial');
  await page.click('#f-show');
  await waitKpi(page, 'appeals', '8');
  assert.equal(new URL(page.url()).searchParams.get('include_trial'), '1');
  // a shared link opens the same view
  const link = page.url();
  const other = await openAs('analyst');
  await other.page.goto(link);
  await waitKpi(other.page, 'appeals', '8');
  assert.equal(await other.page.isChecked('#f-trial'), true);
  await other.ctx.close();

  // English
  await page.locator('#lang-switch').click();
  await page.locator('h1', { hasText: 'Analytics' }).waitFor();
  assert.deepEqual(await page.locator('#staff-nav a').allInnerTexts(), ['Analytics', 'Reports']);
  assert.equal(await text(kpi(page, 'median_hours_to_done')), '25 h'); // the trial one (5 h) counted too
  assert.equal((await tableRows(page, 'category'))[0][0], 'Water supply');
  assert.equal(await page.title(), 'Analytics — Kontakt');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the filter with the keyboard alone: a quick period, a category, then Show', async () => {
  const { ctx, page, problems } = await openAs('analyst');
  await page.goto(server.url + '/staff/dashboard.html?from=2026-10-01&to=2026-10-31');
  await waitKpi(page, 'appeals', '7');
  // "This year" (1 January up to today) takes September and October
  // (a date field's day, month and year take a Tab each)
  await page.locator('#f-to').focus();
  for (let i = 0; i < 10 && await page.evaluate(() => document.activeElement.dataset.quick) !== 'year'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.quick), 'year');
  await page.keyboard.press('Enter');
  await waitKpi(page, 'appeals', '9');
  // Tab to the category, choose water supply with the arrows, Tab on to Show
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-category');
  while (await page.inputValue('#f-category') !== 'water_supply') await page.keyboard.press('ArrowDown');
  assert.equal(await page.isDisabled('#f-type'), false, 'the types of the chosen category');
  for (let i = 0; i < 12 && await page.evaluate(() => document.activeElement.id) !== 'f-show'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await waitKpi(page, 'appeals', '5');
  assert.equal(new URL(page.url()).searchParams.get('category'), 'water_supply');
  assert.deepEqual(await tableRows(page, 'category'), [['Водопостачання', '5', '100%']]);
  // a chart's table opens from the keyboard
  await page.locator('details[data-chart="district"] summary').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('details[data-chart="district"]').getAttribute('open'), '');
  // the scorecards sort from the keyboard
  await page.locator('#cards-table tbody tr').first().waitFor();
  await page.locator('#cards-table [data-sort="organisation"]').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#cards-table th[aria-sort]').getAttribute('aria-sort'), 'ascending');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.sort), 'organisation');
  // a bad period is said in words
  await page.fill('#f-from', '2026-10-31');
  await page.fill('#f-to', '2026-10-01');
  await page.locator('#f-show').focus();
  await page.keyboard.press('Enter');
  await page.locator('#filter-error').getByText('«з» не пізніше, ніж «по»').waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a supervisor on a 360 px phone: the nav, a period without appeals, nothing breaks or scrolls sideways', async () => {
  const { ctx, page, problems } = await openAs('supervisor', { ...PHONE, viewport: { width: 360, height: 740 } });
  await page.goto(server.url + '/staff/dashboard.html?from=2026-10-01&to=2026-10-31');
  await waitKpi(page, 'appeals', '7');
  assert.deepEqual(await page.locator('#staff-nav a').allInnerTexts(), ['Гаряча лінія', 'Черги', 'Аналітика', 'Звіти']);
  assert.equal(await page.locator('#staff-nav a[aria-current="page"]').textContent(), 'Аналітика');
  await page.locator('#cards-table tbody tr').first().waitFor();
  let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(OUT, 'dashboard-phone-360.png'), fullPage: true });
  // a period with no appeals at all
  await page.goto(server.url + '/staff/dashboard.html?from=2025-01-01&to=2025-01-31');
  await waitKpi(page, 'appeals', '0');
  assert.equal(await text(kpi(page, 'on_time_share')), '—');
  assert.equal(await text(kpi(page, 'median_hours_to_done')), '—');
  assert.ok(await page.locator('.chart-empty').count() >= 5, 'the empty charts say so');
  assert.deepEqual(await tableRows(page, 'category'), []);
  overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the empty page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(OUT, 'dashboard-phone-empty.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('an executor is refused: sent to the queues, no figures asked for', async () => {
  const { ctx, page, problems } = await openAs('executor');
  const asked = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/v1/stats/')) asked.push(r.url()); });
  await page.goto(server.url + '/staff/dashboard.html');
  await page.waitForURL(/\/staff\/queue\.html$/);
  await page.locator('#staff-who .who-name').waitFor();
  assert.equal(await page.locator('#staff-nav a', { hasText: 'Аналітика' }).count(), 0);
  assert.deepEqual(asked, []);
  const api = await sessions.executor.call('GET', '/api/v1/stats/dashboard');
  assert.equal(api.status, 403);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('trial mode: the banner on every staff page (and none without it)', async () => {
  assert.equal(await (async () => {
    const { ctx, page } = await openAs('analyst');
    await page.goto(server.url + '/staff/dashboard.html?from=2026-10-01&to=2026-10-31');
    await page.locator('#staff-who .who-name').waitFor();
    await page.waitForTimeout(300); // the config has been read by now
    const hidden = await page.locator('#trial-banner').isHidden();
    await ctx.close();
    return hidden;
  })(), true);
  const trial = await startServer({ env: { KONTAKT_TRIAL: '1' } });
  try {
    const sup = await signIn(trial, addUser(trial, { login: 't-supervisor', role: 'supervisor', name: 'Тест' }));
    const adm = await signIn(trial, addUser(trial, { login: 't-admin', role: 'admin', name: 'Тест' }));
    const pages = [[null, 'login'], [sup, 'operator'], [sup, 'queue'], [sup, 'dashboard'], [sup, 'reports'], [adm, 'users']];
    for (const [who, name] of pages) {
      const { ctx, page, problems } = await openPage(browser, trial.url, DESKTOP);
      if (who) {
        const [n, v] = who.cookie.split('=');
        await ctx.addCookies([{ name: n, value: v, url: trial.url }]);
      }
      await page.goto(`${trial.url}/staff/${name}.html`);
      await page.locator('#trial-banner').waitFor({ state: 'visible' });
      assert.match(await page.locator('#trial-banner').textContent(), /Пробний режим/, name);
      assert.equal(new URL(page.url()).pathname, `/staff/${name}.html`);
      assert.deepEqual(problems, [], name);
      await ctx.close();
    }
  } finally {
    await trial.stop();
  }
});

// The export (piece B's job API): the XLSX of the current view, its
// progress shown, the file downloaded and read by openpyxl.
test('export: the XLSX of the view downloads after its progress, and a spreadsheet reader finds the figures', async () => {
  const { ctx, page, problems } = await openAs('analyst');
  await page.goto(server.url + '/staff/dashboard.html?from=2026-10-01&to=2026-10-31');
  await waitKpi(page, 'appeals', '7');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60000 }),
    page.click('#export-xlsx'),
  ]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const file = path.join(OUT, 'dashboard-export.xlsx');
  await download.saveAs(file);
  await page.locator('#export-status').getByText('завантаження почалося').waitFor();
  assert.equal(await page.locator('#export-progress').evaluate((p) => p.value === p.max), true);
  // Debian's python3 and its openpyxl
  const book = JSON.parse(execFileSync('/usr/bin/python3', [path.join(ROOT, 'tests/lib/xlsx_read.py'), file]).toString());
  const sheet = (title) => book.sheets.find((x) => x.title === title);
  const titles = book.sheets.map((x) => x.title);
  // the categories' sheet: the figures of the chart's table
  assert.ok(sheet('Категорії'), 'sheets: ' + titles.join(', '));
  const cats = sheet('Категорії').rows.slice(1).map((r) => [r[0], r[1], r[3], Math.round(r[4] * 1000) / 1000]);
  assert.deepEqual(cats, [['water_supply', 'Водопостачання', 5, 0.714], ['heating', 'Опалення', 2, 0.286]]);
  // the appeals of the view: the seven of October (the trial one left out)
  assert.equal(sheet('Звернення').row_count, 1 + 7);
  assert.deepEqual(problems, []);
  await ctx.close();
});
