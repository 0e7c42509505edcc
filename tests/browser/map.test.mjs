// Browser test of the public map (map.html) on 3,000 demo appeals: clusters
// at the city view, a status filter changes them, an appeal opens its card at
// street level, the tracking page's link centres on the appeal, no problems
// (page errors, CSP violations) on a desktop and a phone, offline tiles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';


let server;
let browser;

before(async () => {
  server = await startServer({ demo: 3000, env: { KONTAKT_RATE_APPEALS: '1000000' } });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const open = (device = DESKTOP) => openPage(browser, server.url, device);

const summaryCount = async (page) => Number((await page.locator('#mp-summary').textContent()).match(/(\d+)/)[1]);

test('the map loads with clusters; a status filter changes them', async () => {
  const { ctx, page, problems } = await open();
  await page.goto(server.url + '/map.html');
  await page.locator('.mc').first().waitFor();
  const all = await summaryCount(page);
  assert.ok(all > 100 && all <= 3000, `in view: ${all}`);
  const clusters = await page.locator('.mc').count();
  assert.ok(clusters > 1, `clusters: ${clusters}`);
  await page.screenshot({ path: path.join(OUT, 'map-desktop.png') });
  // keep only "in progress" (routed appeals are assigned at intake, so the
  // demo has few or no "registered" ones)
  for (const box of await page.locator('#f-status input').all()) {
    if ((await box.getAttribute('value')) !== 'in_progress') await box.uncheck();
  }
  await page.waitForFunction((n) => {
    const m = /(\d+)/.exec(document.getElementById('mp-summary').textContent);
    return m && Number(m[1]) !== n;
  }, all);
  const inProgress = await summaryCount(page);
  assert.ok(inProgress > 0 && inProgress < all, `in progress ${inProgress} of ${all}`);
  // the list offers the same to the keyboard
  assert.ok(await page.locator('#mp-list button').count() > 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('street level: appeals as markers; a click opens the public card', async () => {
  const { ctx, page, problems } = await open();
  const number = server.db.query("SELECT number FROM appeals WHERE lat BETWEEN 48.44 AND 48.49 AND lon BETWEEN 35.00 AND 35.08 ORDER BY id LIMIT 1");
  await page.goto(server.url + '/map.html#number=' + number);
  await page.locator('.mk-hl').waitFor();
  await page.locator('#mp-card:not([hidden])').waitFor();
  assert.match(await page.locator('#mp-card-title').textContent(), new RegExp(number));
  // another appeal, by clicking its marker
  await page.locator('#mp-card-close').click();
  // another marker: its click (dispatched, so a neighbour drawn over it does not matter)
  const other = page.locator('.leaflet-marker-icon.mk:not(.mk-hl)').first();
  await other.waitFor();
  const title = await other.getAttribute('title');
  await page.locator(`.leaflet-marker-icon.mk[title="${title}"]`).first().dispatchEvent('click');
  await page.locator('#mp-card:not([hidden])').waitFor();
  assert.equal((await page.locator('#mp-card-title').textContent()).includes(title.split(':')[0]), true);
  const text = await page.locator('#mp-card').textContent();
  assert.doesNotMatch(text, /\+380|@/); // never personal data
  await page.screenshot({ path: path.join(OUT, 'map-card-desktop.png') });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the tracking page links to the appeal on the map, centred and highlighted', async () => {
  const res = await fetch(server.url + '/api/v1/appeals', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validAppeal()),
  });
  const created = await res.json();
  assert.equal(res.status, 201);
  const { ctx, page, problems } = await open(PHONE);
  await page.goto(server.url + created.tracking_url);
  await page.locator('#a-maplink').click();
  await page.waitForURL(/map\.html#number=/);
  await page.locator('.mk-hl').waitFor();
  assert.match(await page.locator('#mp-card-title').textContent(), new RegExp(created.number));
  const centre = await page.evaluate(() => {
    const r = document.getElementById('mp-map').getBoundingClientRect();
    const m = document.querySelector('.mk-hl').getBoundingClientRect();
    return [Math.abs(m.x + m.width / 2 - (r.x + r.width / 2)), Math.abs(m.y + m.height / 2 - (r.y + r.height / 2))];
  });
  assert.ok(centre[0] < 30 && centre[1] < 40, `marker off centre by ${centre}`);
  await page.screenshot({ path: path.join(OUT, 'map-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();
});
