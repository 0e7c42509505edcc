// Browser test: a second appeal near the first shows it as a possible
// duplicate, and "me too" follows it instead of filing a new appeal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';


let server, browser, first;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const res = await fetch(`${server.url}/api/v1/appeals`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(validAppeal({ location: { lat: 48.4600, lon: 35.0400 } })),
  });
  first = await res.json();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('a second appeal near the first shows it as a possible duplicate; "me too" follows it', async () => {
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  await page.goto(`${server.url}/appeal.html?category=water_supply`);
  const box = page.locator('#duplicates');
  await page.fill('#lat', '48.4605');
  await page.fill('#lon', '35.0405');
  await box.waitFor({ state: 'visible' });
  await assert.doesNotReject(box.getByText(`№ ${first.number}`).waitFor());
  assert.match(await box.innerText(), /Можливо, про це вже повідомили/);
  assert.match(await box.innerText(), /за \d+ м/);

  // Another category there: nothing offered.
  await page.selectOption('#category', 'sewerage');
  await box.waitFor({ state: 'hidden' });
  await page.selectOption('#category', 'water_supply');
  await box.waitFor({ state: 'visible' });

  // Without a phone it asks for one; with it, it subscribes.
  await box.getByRole('button', { name: /та сама проблема/ }).click();
  await box.getByText(/Вкажіть свій телефон/).waitFor();
  await page.fill('#phone', '050 765 43 21');
  await box.getByRole('button', { name: /та сама проблема/ }).click();
  await box.getByText(`Ви стежите за зверненням № ${first.number}`).waitFor();
  await box.screenshot({ path: path.join(OUT, 'duplicates-followed.png') });
  const link = await box.locator('a.dup-link').getAttribute('href');
  assert.equal(server.db.query('SELECT COUNT(*) FROM appeals'), '1');
  assert.equal(server.db.query('SELECT COUNT(*) FROM subscriptions'), '1');

  // The subscriber's link shows the appeal, never the applicant's description.
  await page.goto(link);
  await page.getByText(first.number).first().waitFor();
  assert.equal(await page.locator('#a-description').isVisible(), false);
  assert.ok(!(await page.content()).includes('восьмої'));
  assert.deepEqual(problems, []);
  await ctx.close();
});
