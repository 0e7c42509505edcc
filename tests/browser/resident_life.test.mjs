// The issue's own browser test (docs/RESIDENTS.md): an operator registers a
// phone call; the executor reports it done and the caller is told by SMS;
// the resident signs in to the cabinet with the code read from the real SMTP
// server, adds the phone (its code read from the SMS gateway receiver),
// finds the operator's appeal, disputes it in the browser, and receives the
// email that it went back to work. Both databases (KONTAKT_TEST_DB).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';
import { lastCode, withDelivery } from '../lib/codes.mjs';

const PHONE360 = { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const EMAIL = 'mykola.life@example.com';
const PHONE = '+380631234321';

let server, browser;
before(async () => {
  server = await withDelivery(startServer);
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('an operator\'s call, done, disputed from the cabinet; the resident receives the email', async () => {
  const { smtp, sms } = server.delivery;
  const operator = await signIn(server, addUser(server, { login: 'op-life', role: 'operator' }));
  const call = await operator.call('POST', '/api/v1/appeals', {
    json: validAppeal({ channel: 'phone', description: 'Дзвінок: у під’їзді немає холодної води з ранку',
      applicant: { name: 'Микола Life', phone: '063 123 43 21' } }),
  });
  assert.equal(call.status, 201, call.text);
  const appeal = call.body;
  assert.equal(appeal.status, 'assigned');
  // The caller has no email: the registration goes by SMS, with the number.
  const reg = await sms.waitForRequest((r) => r.body.recipients.includes(PHONE.slice(1)) && r.body.sms.text.includes(appeal.number));
  assert.ok(reg.body.sms.text.length <= 160, reg.body.sms.text);

  const executor = await signIn(server, addUser(server, { login: 'exec-life', role: 'executor', org: appeal.organisation.code }));
  for (const [action, extra] of [['accept', {}], ['start', {}], ['done', { comment: 'Замінили засувку на вводі' }]]) {
    const r = await executor.call('POST', `/api/v1/appeals/${appeal.number}/actions`, { json: { action, ...extra } });
    assert.equal(r.status, 200, `${action}: ${r.text}`);
  }
  await sms.waitForRequest((r) => r.body.recipients.includes(PHONE.slice(1)) && /виконано/i.test(r.body.sms.text));

  // The cabinet: sign in by email, the code read from the SMTP server.
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE360);
  await page.goto(`${server.url}/cabinet.html`);
  await page.getByLabel('На електронну пошту').check();
  await page.getByLabel('Електронна пошта').fill(EMAIL);
  await page.getByRole('button', { name: 'Надіслати код' }).click();
  await page.locator('#si-verify').waitFor();
  const code = await lastCode(server, EMAIL);
  const codeMail = smtp.messages.find((m) => m.to.includes(EMAIL) && m.subject.includes(code));
  assert.ok(codeMail, 'the code came by email');
  assert.match(codeMail.body, /10 хвилин/);
  await page.locator('#si-code').fill(code);
  await page.getByRole('button', { name: 'Увійти' }).click();
  await page.locator('#cabinet').waitFor();
  assert.equal(await page.locator(`#mine .cab-item[data-number="${appeal.number}"]`).count(), 0,
    'the phone is not verified yet');

  // Adding the phone (the code by SMS) brings the operator's appeal in.
  await page.getByLabel('Номер телефону').fill('063 123 43 21');
  await page.locator('#add-send').getByRole('button', { name: 'Надіслати код' }).click();
  await page.locator('#add-verify').waitFor();
  await page.locator('#add-code').fill(await lastCode(server, PHONE));
  await page.getByRole('button', { name: 'Підтвердити' }).click();
  const item = page.locator(`#mine .cab-item[data-number="${appeal.number}"]`);
  await item.waitFor();
  await item.locator('a').click();
  await page.locator('#d-heading').getByText(appeal.number).waitFor();
  assert.equal(await page.locator('#d-status').innerText(), 'Виконано, очікує підтвердження');
  await page.locator('#da-confirm-box').waitFor();

  // Dispute it: the words go to staff, the appeal goes back to work.
  await page.locator('#da-dispute-text').fill('Вода так і не з’явилась, тиск нульовий');
  await page.getByRole('button', { name: 'Ні, не вирішено — повернути на доопрацювання' }).click();
  await page.locator('#d-status').getByText('Повернуто на доопрацювання').waitFor();
  await page.screenshot({ path: path.join(OUT, 'resident-life-disputed-phone.png'), fullPage: true });

  // The email arrives at the cabinet's address (the resident holds the phone).
  const mail = await smtp.waitForMessage((m) => m.to.includes(EMAIL) && m.subject.includes(appeal.number));
  assert.match(mail.subject, /відкрито повторно/);
  assert.match(mail.body, new RegExp(appeal.number));
  assert.equal(mail.headers['content-type'], 'text/plain; charset=utf-8');

  // Staff see the dispute and its words; the violation is recorded.
  const card = await executor.call('GET', `/api/v1/staff/appeals/${appeal.number}`);
  assert.equal(card.status, 200, card.text);
  assert.equal(card.body.status, 'reopened');
  const words = card.body.events.find((e) => e.kind === 'dispute_comment');
  assert.equal(words?.note, 'Вода так і не з’явилась, тиск нульовий');
  assert.match(words.actor, /^resident:\d+$/);
  assert.deepEqual(problems, []);
  await ctx.close();
});
