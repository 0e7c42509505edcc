// Browser test: after a dispatcher merges a duplicate into its parent, the
// child's tracking link shows the parent's state and public timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const file = async (over) => {
  const r = await fetch(`${server.url}/api/v1/appeals`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validAppeal(over)),
  });
  assert.equal(r.status, 201);
  return r.json();
};

test('a merged appeal\'s tracking page follows the parent appeal', async () => {
  const parent = await file();
  const child = await file({ description: 'Води немає з самого ранку, у всьому будинку' });
  const disp = await signIn(server, addUser(server, { login: 'disp-m', role: 'dispatcher' }));
  const exec = await signIn(server, addUser(server, { login: 'exec-m', role: 'executor', org: 'vodokanal' }));
  assert.equal((await disp.call('POST', `/api/v1/appeals/${child.number}/actions`, { json: { action: 'merge', parent: parent.number } })).status, 200);
  assert.equal((await exec.call('POST', `/api/v1/appeals/${parent.number}/actions`, { json: { action: 'start' } })).status, 200);

  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  await page.goto(`${server.url}/track.html#${child.tracking_token}`);
  const box = page.locator('#merged');
  await box.waitFor({ state: 'visible' });
  assert.match(await page.locator('#merged-title').innerText(), new RegExp(`№ ${parent.number}`));
  assert.match(await page.locator('#m-status').innerText(), /У роботі/);
  const items = await page.locator('#m-timeline li').allInnerTexts();
  assert.ok(items.some((t) => /Передано виконавцю/.test(t)), items.join(' | '));
  assert.ok(items.some((t) => /Роботи розпочато/.test(t)), items.join(' | '));
  // the child's own story ends with the merge, naming the parent
  const own = await page.locator('#a-timeline li').allInnerTexts();
  assert.match(own.at(-1), new RegExp(parent.number));
  assert.match(await page.locator('#a-status').innerText(), /Об’єднано/);
  // the parent applicant's words never show on the child's page
  assert.ok(!(await page.locator('#merged').innerText()).includes('восьмої ранку'));
  await page.screenshot({ path: path.join(OUT, 'track-merged-phone.png'), fullPage: true });
  // and the parent's own page shows no such box
  await page.goto(`${server.url}/track.html#${parent.tracking_token}`);
  await page.locator('#a-status').getByText('У роботі').waitFor();
  assert.equal(await box.isVisible(), false);
  assert.deepEqual(problems, []);
  await ctx.close();
});
