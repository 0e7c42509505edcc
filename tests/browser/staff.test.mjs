// Browser tests of the staff pages: sign-in (errors, the TOTP step, the
// role's home, `next`), the admin's users page, a queue that shows a change
// made through the API within 5 s, and the whole life of an appeal from
// the hotline console to the applicant's confirmation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';
import { addUser, signIn, totpCode } from '../lib/staff.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// Signs in through the login page; returns when the role's home has loaded.
export async function signInPage(page, url, account) {
  await page.goto(`${url}/staff/login.html`);
  await page.fill('#login', account.login);
  await page.fill('#password', account.password);
  await page.press('#password', 'Enter');
  if (account.totp_secret) {
    await page.locator('#totp').waitFor({ state: 'visible' });
    await page.fill('#totp', totpCode(account.totp_secret));
    await page.press('#totp', 'Enter');
  }
  await page.waitForURL((u) => !u.pathname.endsWith('/login.html'));
  await page.locator('#staff-who .who-name').waitFor();
}

test('login: wrong password, the TOTP step for a supervisor, a wrong code, then the queues', async () => {
  const sup = addUser(server, { login: 'sup-login', role: 'supervisor', name: 'Ірина Контроль' });
  assert.ok(sup.totp_secret, 'a supervisor gets a TOTP secret');
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  // A staff page without a session goes to the login page with `next`.
  await page.goto(`${server.url}/staff/queue.html`);
  await page.waitForURL(/\/staff\/login\.html\?next=%2Fstaff%2Fqueue\.html/);
  await page.screenshot({ path: path.join(OUT, 'staff-login-phone.png'), fullPage: true });

  await page.fill('#login', 'sup-login');
  await page.fill('#password', 'not-the-password-at-all');
  await page.click('#login-submit');
  await page.locator('#login-error').getByText('Невірний логін або пароль').waitFor();
  assert.equal(await page.locator('#totp').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');

  await page.fill('#password', sup.password);
  await page.press('#password', 'Enter');
  await page.locator('#totp').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'totp');
  const good = totpCode(sup.totp_secret);
  await page.fill('#totp', good === '000000' ? '111111' : '000000');
  await page.click('#login-submit');
  await page.locator('#login-error .alert-title').waitFor();
  assert.match(await page.locator('#login-error').innerText(), /код|code/i);
  await page.screenshot({ path: path.join(OUT, 'staff-login-totp-phone.png'), fullPage: true });

  await page.fill('#totp', totpCode(sup.totp_secret));
  await page.click('#login-submit');
  await page.waitForURL(/\/staff\/queue\.html/);
  await page.locator('#staff-who').getByText('Ірина Контроль').waitFor();
  assert.match(await page.locator('#staff-who').innerText(), /контролер/);
  // A supervisor's sections: console, queues, reports; not users.
  const nav = await page.locator('#staff-nav a').allInnerTexts();
  assert.deepEqual(nav, ['Гаряча лінія', 'Черги', 'Звіти']);

  // Logout ends the session: the page goes back to login and stays there.
  await page.click('#logout');
  await page.waitForURL(/\/staff\/login\.html/);
  await page.goto(`${server.url}/staff/operator.html`);
  await page.waitForURL(/\/staff\/login\.html\?next=/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('login: too many failures are refused with the wait; `next` only to this site', async () => {
  const op = addUser(server, { login: 'op-many', role: 'operator', name: 'Оператор Тест' });
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await page.goto(`${server.url}/staff/login.html?next=${encodeURIComponent('//evil.example/x')}`);
  for (let i = 0; i < 5; i++) {
    await page.fill('#login', 'op-many');
    await page.fill('#password', 'wrong-password-' + i);
    await page.click('#login-submit');
    await page.locator('#login-error').getByText('Невірний логін або пароль').waitFor();
    await page.evaluate(() => { document.getElementById('login-error').hidden = true; });
  }
  await page.fill('#password', op.password);
  await page.click('#login-submit');
  await page.locator('#login-error').getByText(/Забагато невдалих спроб/).waitFor();
  assert.match(await page.locator('#login-error').innerText(), /хв/);
  await page.screenshot({ path: path.join(OUT, 'staff-login-locked-desktop.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await ctx.close();

  // Another operator with a foreign `next`: lands on the console instead.
  const op2 = addUser(server, { login: 'op-next', role: 'operator', name: 'Оператор Два' });
  const p2 = await openPage(browser, server.url, DESKTOP);
  await p2.page.goto(`${server.url}/staff/login.html?next=${encodeURIComponent('//evil.example/x')}`);
  await p2.page.fill('#login', op2.login);
  await p2.page.fill('#password', op2.password);
  await p2.page.press('#password', 'Enter');
  await p2.page.waitForURL(`${server.url}/staff/operator.html`);
  assert.deepEqual(p2.problems, []);
  await p2.ctx.close();
});

test('users: the admin creates an executor and a supervisor (TOTP shown once), changes a role, deactivates', async () => {
  const admin = addUser(server, { login: 'adm-web', role: 'admin', name: 'Адмін Системи' });
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await signInPage(page, server.url, admin);
  assert.match(page.url(), /\/staff\/users\.html$/);
  await page.locator('tr[data-login="adm-web"]').waitFor();

  // A weak password: the field error from the server.
  await page.fill('#new-login', 'exec-web');
  await page.fill('#new-name', 'Петро Виконавець');
  await page.selectOption('#new-role', 'executor');
  await page.selectOption('#new-org', 'vodokanal');
  await page.fill('#new-password', 'password1234');
  await page.click('#create-form button[type=submit]');
  await page.locator('#create-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#create-error').innerText(), /пароль/i);

  await page.fill('#new-password', 'Vodokanal-Executor-2026!');
  await page.click('#create-form button[type=submit]');
  await page.locator('tr[data-login="exec-web"]').waitFor();
  assert.match(await page.locator('tr[data-login="exec-web"]').innerText(), /виконавець[\s\S]*Водоканал/);
  assert.equal(await page.locator('#totp-box').isVisible(), false);

  await page.fill('#new-login', 'sup-web');
  await page.fill('#new-name', 'Олег Контролер');
  await page.selectOption('#new-role', 'supervisor');
  await page.fill('#new-password', 'Supervisor-Strong-2026!');
  await page.click('#create-form button[type=submit]');
  await page.locator('#totp-uri').waitFor();
  assert.match(await page.locator('#totp-uri').innerText(), /^otpauth:\/\/totp\//);
  await page.screenshot({ path: path.join(OUT, 'staff-users-desktop.png'), fullPage: true });

  // Change the executor into a dispatcher (and drop the organisation).
  const row = page.locator('tr[data-login="exec-web"]');
  await row.locator('summary').click();
  await row.locator('select[id$="-role"]').selectOption('dispatcher');
  await row.locator('select[id$="-org"]').selectOption('');
  await row.locator('button[type=submit]').click();
  await page.locator('#users-status').getByText('Зміни для exec-web збережено.').waitFor();
  await page.locator('tr[data-login="exec-web"]').getByRole('cell', { name: 'диспетчер', exact: true }).waitFor();

  // Deactivate: the account can no longer sign in.
  await page.locator('tr[data-login="exec-web"]').getByRole('button', { name: 'Вимкнути' }).click();
  await page.locator('tr[data-login="exec-web"].is-inactive').waitFor();
  await assert.rejects(signIn(server, { login: 'exec-web', password: 'Vodokanal-Executor-2026!' }));
  assert.deepEqual(problems, []);
  await ctx.close();

  const phone = await openPage(browser, server.url, PHONE);
  await signInPage(phone.page, server.url, admin);
  await phone.page.locator('tr[data-login="sup-web"]').waitFor();
  await phone.page.screenshot({ path: path.join(OUT, 'staff-users-phone.png'), fullPage: true });
  assert.deepEqual(phone.problems, []);
  await phone.ctx.close();
});

void validAppeal;
