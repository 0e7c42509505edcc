// Browser test of the public statistics page (web/stats.html) on the known
// fixture (tests/lib/publicfixture.mjs): opened without signing in, the
// figures and tables match the fixture, the period changes (dates, quick
// choices), keyboard only, the open-data links follow the period, English,
// no horizontal scrolling and no page problems on a 360 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, freshDatabase } from '../lib/server.mjs';
import { PERIOD, BULK, D, fileTrial, fileFixture } from '../lib/publicfixture.mjs';

const db = freshDatabase();
let server;
let browser;
const PHONE360 = { ...PHONE, viewport: { width: 360, height: 740 } };
const withSql = (srv) => Object.assign(srv, { sql: async (q) => db.query(q) });

before(async () => {
  const trialSrv = await startServer({ db, env: { KONTAKT_TRIAL: '1' } });
  const trial = await fileTrial(trialSrv);
  await trialSrv.stop();
  const first = withSql(await startServer({ db }));
  await fileFixture(first, trial);
  await first.stop();
  server = await startServer({ db });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  db.drop();
});

const rowsOf = (page, id) => page.locator(`#${id} tbody tr`).evaluateAll((trs) =>
  trs.map((tr) => [...tr.children].map((c) => c.textContent.trim().replace(/\s/g, ' '))));
// Numbers as the page shows them, with the thousands separator as a plain space.
const textOf = async (page, sel) => (await page.locator(sel).innerText()).replace(/\s/g, ' ');

async function shown(page) {
  await page.locator('#st-status', { hasText: /Показано|Shown/ }).waitFor();
}

test('without signing in: the fixture period\'s figures, charts and their tables', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await page.goto(`${server.url}/stats.html?from=${PERIOD.from}&to=${PERIOD.to}`);
  await shown(page);
  assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Статистика');
  assert.equal(await page.inputValue('#st-from'), PERIOD.from);
  assert.equal(await page.inputValue('#st-to'), PERIOD.to);
  // 60 appeals (trial and the two just outside the Kyiv days left out), 20 finished, half on time
  assert.equal(await page.locator('#st-appeals').innerText(), '60');
  assert.equal(await page.locator('#st-finished').innerText(), '20');
  assert.equal(await page.locator('#st-ontime').innerText(), '50,0%');
  assert.deepEqual(await rowsOf(page, 'st-cat-table'), [
    ['Водопостачання', '30', '50,0%'], ['Опалення', '29', '48,3%'], ['Сміття', '1', '1,7%']]);
  assert.deepEqual(await rowsOf(page, 'st-dist-table'), [
    [D.shevchenkivskyi.name_uk, '29', '48,3%'], [D.sobornyi.name_uk, '15', '25,0%'],
    [D.tsentralnyi.name_uk, '15', '25,0%'], ['Поза межами районів', '1', '1,7%']]);
  // organisations: vodokanal has 30 (shown), teploenergo 29 (left out), and the page says why
  assert.deepEqual(await rowsOf(page, 'st-org-table'), [['КП «Водоканал»', '30', '20', '50,0%']]);
  assert.match(await page.locator('#st-org-note').innerText(), /щонайменше 30 звернень/);
  // the trend: every day of October, one water and one heating appeal a day (31 October: none;
  // 1 October: the garbage appeal of 00:30 Kyiv as well)
  const trend = await rowsOf(page, 'st-trend-table');
  assert.equal(trend.length, 31);
  assert.deepEqual(trend[0], ['1 жовтня 2026 р.', '3']);
  assert.deepEqual(trend[4], ['5 жовтня 2026 р.', '2']);
  assert.deepEqual(trend[29], ['30 жовтня 2026 р.', '1']);
  assert.deepEqual(trend[30], ['31 жовтня 2026 р.', '0']);
  assert.equal(trend.reduce((s, r) => s + Number(r[1]), 0), 60);
  // the charts are drawn (Chart.js from /vendor/) and say where their numbers are
  assert.equal(await page.evaluate(() => typeof window.Chart), 'function');
  for (const id of ['st-cat-chart', 'st-dist-chart', 'st-org-chart', 'st-trend-chart']) {
    const c = page.locator('#' + id);
    assert.equal(await c.isVisible(), true, id);
    assert.match(await c.getAttribute('aria-label'), /таблиц/);
    assert.ok((await c.boundingBox()).height > 50, id);
  }
  assert.equal(await page.evaluate(() => window.Chart.getChart('st-cat-chart').data.datasets[0].data.join()), '30,29,1');
  // the open data of the same period
  assert.equal(await page.getAttribute('#st-csv', 'href'), `/api/v1/opendata/appeals.csv?from=${PERIOD.from}&to=${PERIOD.to}`);
  assert.equal(await page.getAttribute('#st-json', 'href'), `/api/v1/opendata/appeals.json?from=${PERIOD.from}&to=${PERIOD.to}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#st-csv')]);
  assert.equal(download.suggestedFilename(), `kontakt-appeals-${PERIOD.from}-${PERIOD.to}.csv`);
  // nothing personal on the page
  const text = await page.locator('main').innerText();
  assert.ok(!/Секрет|Приватна|example\.com|Ганна/.test(text));
  await page.screenshot({ path: path.join(OUT, 'stats-desktop.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('keyboard only: a quick choice, dates, the trend table, the download link', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await page.goto(`${server.url}/stats.html?from=${PERIOD.from}&to=${PERIOD.to}`);
  await shown(page);
  const tabTo = async (selector, max = 40) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    }
    assert.fail(`${selector} is not reachable with Tab`);
  };
  // "last month": the month before today's (Kyiv)
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv' }).format(new Date());
  const firstOfThis = Date.UTC(+today.slice(0, 4), +today.slice(5, 7) - 1, 1);
  const lastOfPrev = new Date(firstOfThis - 86400000).toISOString().slice(0, 10);
  await tabTo('[data-quick="prevMonth"]');
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/stats/public'));
  await page.keyboard.press('Enter');
  const body = await (await answer).json();
  await page.locator('#st-status', { hasText: /Показано/ }).waitFor();
  assert.equal(await page.inputValue('#st-from'), lastOfPrev.slice(0, 8) + '01');
  assert.equal(await page.inputValue('#st-to'), lastOfPrev);
  assert.equal(await page.locator('#st-appeals').innerText(), String(body.appeals));
  assert.equal(new URL(page.url()).searchParams.get('to'), lastOfPrev);
  // dates typed in the form and Enter: August, the thousands of copies
  await tabTo('#st-from');
  await page.fill('#st-from', BULK.from); // the date widget's keystrokes depend on the locale
  await page.fill('#st-to', BULK.to);
  await page.keyboard.press('Enter');
  await page.locator('#st-appeals', { hasText: /^4\s500$/ }).waitFor();
  assert.deepEqual(await rowsOf(page, 'st-org-table'), [['КП «Водоканал»', '4 500', '4 500', '100,0%']]);
  // the trend's table opens from the keyboard
  await tabTo('#st-trend-table-summary, .st-details > summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#st-trend-table').isVisible(), true);
  assert.equal(await page.locator('#st-trend-table tbody tr').count(), 31);
  await tabTo('#st-csv');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')),
    `/api/v1/opendata/appeals.csv?from=${BULK.from}&to=${BULK.to}`);
  // a bad period is said where it was chosen
  await page.fill('#st-from', '2026-10-31');
  await page.fill('#st-to', '2026-10-01');
  await page.locator('#st-to').press('Enter');
  await page.locator('#st-period-error', { hasText: /раніше за початок/ }).waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a long period: weeks in the trend, the open data says it gives at most 366 days', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await page.goto(`${server.url}/stats.html?from=2025-06-01&to=2026-10-31`);
  await shown(page);
  assert.equal(await textOf(page, '#st-appeals'), '4 561'); // + 30 September 23:30 Kyiv
  assert.match(await page.locator('#st-trend-note').innerText(), /тиждень/);
  assert.equal(await page.locator('#st-trend-col').textContent(), 'Тиждень (з понеділка)'); // in the closed <details>
  const weeks = await rowsOf(page, 'st-trend-table');
  assert.equal(weeks.reduce((n, r) => n + Number(r[1].replace(/\s/g, '')), 0), 4561);
  assert.match(weeks.at(-1)[0], /^\d+ жовт\.? – 31 жовтня 2026 р\.$/, 'the last week ends with the period');
  assert.equal(await page.locator('#st-downloads').isVisible(), false);
  assert.equal(await page.locator('#st-open-limit').isVisible(), true);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a 360 px phone: no sideways scrolling, English on request, no page problems', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE360);
  await page.goto(`${server.url}/stats.html?from=${PERIOD.from}&to=${PERIOD.to}`);
  await shown(page);
  assert.equal(await page.locator('#st-appeals').innerText(), '60');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360),
    'the page is no wider than the phone');
  await page.screenshot({ path: path.join(OUT, 'stats-phone.png'), fullPage: true });
  await page.click('#lang-switch');
  await page.locator('h1', { hasText: 'Appeal statistics' }).waitFor();
  await page.locator('#st-status', { hasText: /Shown: 1 October 2026/ }).waitFor();
  assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Statistics');
  assert.equal((await rowsOf(page, 'st-cat-table'))[0].join('|'), 'Water supply|30|50.0%');
  assert.equal((await rowsOf(page, 'st-dist-table'))[3][0], 'Outside the districts');
  assert.match(await page.locator('#st-org-note').innerText(), /at least 30 appeals/);
  await page.screenshot({ path: path.join(OUT, 'stats-phone-en.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('every public page links to the statistics', async () => {
  const { ctx, page } = await openPage(browser, server.url, DESKTOP);
  for (const p of ['/', '/appeal.html', '/track.html', '/map.html', '/cabinet.html', '/stats.html']) {
    await page.goto(server.url + p);
    assert.equal(await page.locator('.site-nav a[href="/stats.html"]').innerText(), 'Статистика', p);
  }
  await ctx.close();
});
