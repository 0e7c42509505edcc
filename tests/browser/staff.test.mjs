// Browser tests of the staff pages: sign-in (errors, the TOTP step, the
// role's home, `next`), the admin's users page, a queue that shows a change
// made through the API within 5 s, and the whole life of an appeal from
// the hotline console to the applicant's confirmation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, OUT, PHONE, DESKTOP } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';
import { addUser, signIn, totpCode, freshTotp } from '../lib/staff.mjs';

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
    await page.fill('#totp', await freshTotp(account.totp_secret));
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

  await page.fill('#totp', await freshTotp(sup.totp_secret));
  await page.click('#login-submit');
  await page.waitForURL(/\/staff\/queue\.html/);
  await page.locator('#staff-who').getByText('Ірина Контроль').waitFor();
  assert.match(await page.locator('#staff-who').innerText(), /контролер/);
  // A supervisor's sections: console, queues, analytics, reports; not users.
  const nav = await page.locator('#staff-nav a').allInnerTexts();
  assert.deepEqual(nav, ['Гаряча лінія', 'Черги', 'Аналітика', 'Звіти']);

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
  // Signed in already, a `next` whose path normalises to "//host" stays here too.
  for (const sly of ['/.//evil.example/x', '/%2e//evil.example/x', '/x/..//evil.example/x']) {
    await p2.page.goto(`${server.url}/staff/login.html?next=${encodeURIComponent(sly)}`);
    await p2.page.waitForURL(`${server.url}/staff/operator.html`);
  }
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
  // The phone reuses this session: a second sign-in could fall in the same
  // 30 s TOTP step, and a code is good once (users.totp_last_step).
  const cookies = await ctx.cookies();
  await ctx.close();

  const phone = await openPage(browser, server.url, PHONE);
  await phone.ctx.addCookies(cookies);
  await phone.page.goto(`${server.url}/staff/users.html`);
  await phone.page.locator('tr[data-login="sup-web"]').waitFor();
  await phone.page.screenshot({ path: path.join(OUT, 'staff-users-phone.png'), fullPage: true });
  assert.deepEqual(phone.problems, []);
  await phone.ctx.close();
});

// The applicant's timeline on the tracking page: public events only, never
// a staff member's name or login. Returns the texts of its items.
async function checkTimeline(page, number, hidden) {
  const items = await page.locator('#a-timeline li').allInnerTexts();
  const pub = Number(server.db.query(`SELECT COUNT(*) FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
    WHERE a.number = '${number}' AND e.public = 1`));
  const internal = Number(server.db.query(`SELECT COUNT(*) FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
    WHERE a.number = '${number}' AND e.public = 0`));
  assert.equal(items.length, pub, `the timeline shows the ${pub} public events: ${items.join(' | ')}`);
  assert.ok(internal > 0, 'there are internal events (personal data viewed) to hide');
  const text = await page.locator('#appeal').innerText();
  for (const h of hidden) assert.ok(!text.includes(h), `the tracking page shows "${h}"`);
  assert.ok(!/staff:|personal_data_viewed/.test(text));
  return items;
}

async function trackStatus(page, word) {
  await page.locator('#a-status').getByText(word, { exact: true }).waitFor();
}

test('the life of an appeal: console → executor accepts, starts, completes → the applicant disputes → done again → confirmed', async () => {
  const op = addUser(server, { login: 'op-life', role: 'operator', name: 'Оксана Операторка' });
  const ex = addUser(server, { login: 'ex-life', role: 'executor', org: 'vodokanal', name: 'Василь Сантехнік' });
  const hidden = ['Оксана Операторка', 'op-life', 'Василь Сантехнік', 'ex-life'];

  // 1. The operator registers the call.
  const opPage = await openPage(browser, server.url, DESKTOP);
  await signInPage(opPage.page, server.url, op);
  const p = opPage.page;
  await p.fill('#phone', '063 777 88 99');
  await p.fill('#name', 'Ольга Мешканка');
  await p.fill('#type-search', 'немає води');
  await p.locator('#type-list [role=option]').first().waitFor();
  await p.press('#type-search', 'Enter');
  await p.locator('#type-chosen').getByText('Відсутнє водопостачання').waitFor();
  await p.fill('#description', 'Немає холодної води в усьому будинку з шостої ранку.');
  await p.fill('#address', 'Яворницького 10');
  await p.locator('#address-suggestions [role=option]').first().waitFor();
  await p.press('#address', 'ArrowDown');
  await p.press('#address', 'Enter');
  await p.locator('#pin-text').getByText(/Мітка/).waitFor();
  await p.keyboard.press('Alt+KeyR');
  await p.locator('#result').getByText('Звернення зареєстровано').waitFor();
  const number = (await p.locator('#done-number').innerText()).trim();
  const link = await p.inputValue('#done-link');
  assert.match(link, /\/track\.html#[A-Za-z0-9_-]{40,}$/);
  assert.deepEqual(opPage.problems, []);
  await opPage.ctx.close();

  // 2. The executor of Vodokanal opens it from the queue: accept, start, done.
  const exPage = await openPage(browser, server.url, DESKTOP);
  await signInPage(exPage.page, server.url, ex);
  const e = exPage.page;
  assert.match(e.url(), /\/staff\/queue\.html/);
  const row = e.locator(`.q-row[data-number="${number}"]`);
  await row.waitFor();
  await e.screenshot({ path: path.join(OUT, 'staff-queue-desktop.png'), fullPage: true });
  await row.focus();
  await e.keyboard.press('Enter');
  const card = e.locator('#card');
  await card.locator('#card-number').getByText(number).waitFor();
  assert.match(await card.innerText(), /Ольга Мешканка/);
  assert.match(await card.innerText(), /\+380637778899/);
  await card.locator('button[data-action="accept"]').click();
  await card.getByText('Виконано: Прийняти в роботу.').waitFor();
  await card.locator('button[data-action="start"]').click();
  await card.locator('#card-status').getByText('У роботі').waitFor();
  await e.screenshot({ path: path.join(OUT, 'staff-card-desktop.png'), fullPage: true });
  assert.doesNotMatch(await card.textContent(), /\bnull\b|undefined/, 'no absent value is printed on the card');
  // Done needs a comment: the form says so and sends nothing.
  await card.locator('details.action', { hasText: 'Позначити виконаним' }).locator('summary').click();
  await card.locator('button[data-action="done"]').click();
  await card.getByText('Заповніть поле').waitFor();
  await card.locator('#act-done-comment').fill('Замінено засувку на вводі, воду подано.');
  await card.locator('button[data-action="done"]').click();
  await card.locator('#card-status').getByText('Виконано, очікує підтвердження').waitFor();
  // The internal events are marked as such on the card.
  assert.ok(await card.locator('.tl-internal').count() > 0);

  // 3. The applicant sees it done, with public events only, and disputes.
  const ap = await openPage(browser, server.url, PHONE);
  const a = ap.page;
  await a.goto(link);
  await trackStatus(a, 'Виконано, очікує підтвердження');
  let items = await checkTimeline(a, number, hidden);
  assert.ok(items.some((t) => /Виконавець повідомив про виконання/.test(t)), items.join(' | '));
  assert.ok(items.some((t) => /Замінено засувку/.test(t)), 'the executor\'s comment is shown');
  await a.screenshot({ path: path.join(OUT, 'track-done-phone.png'), fullPage: true });
  await a.click('#aa-dispute-submit');
  await a.locator('#aa-error').getByText(/коментар/).waitFor();
  await a.fill('#aa-comment', 'Вода є лише в першому під’їзді, в інших досі немає.');
  await a.click('#aa-dispute-submit');
  await trackStatus(a, 'Повернуто на доопрацювання');
  items = await checkTimeline(a, number, hidden);
  assert.equal(await a.locator('#aa-confirm-box').isVisible(), false);

  // 4. Back in the executor's queue (the page polls): done again.
  await e.locator(`.q-row[data-number="${number}"] .badge`).getByText('Повернуто на доопрацювання').waitFor({ timeout: 5000 });
  await e.locator(`.q-row[data-number="${number}"]`).click();
  await card.locator('#card-status').getByText('Повернуто на доопрацювання').waitFor();
  if (await card.locator('button[data-action="start"]').count()) {
    await card.locator('button[data-action="start"]').click();
    await card.locator('#card-status').getByText('У роботі').waitFor();
  }
  await card.locator('details.action', { hasText: 'Позначити виконаним' }).locator('summary').click();
  await card.locator('#act-done-comment').fill('Відкрито засувки всіх стояків, вода є в усіх під’їздах.');
  await card.locator('button[data-action="done"]').click();
  await card.locator('#card-status').getByText('Виконано, очікує підтвердження').waitFor();
  assert.deepEqual(exPage.problems, []);
  await exPage.ctx.close();

  // 5. The applicant confirms and rates: closed.
  await a.click('#refresh');
  await trackStatus(a, 'Виконано, очікує підтвердження');
  await a.click('#aa-confirm');
  await trackStatus(a, 'Закрито');
  await a.locator('#aa-status').getByText('Дякуємо! Звернення закрито.').waitFor();
  await a.check('#aa-rating-5');
  await a.click('#aa-rate-submit');
  await a.locator('#aa-status').getByText('Ваша оцінка: 5 з 5.').waitFor();
  items = await checkTimeline(a, number, hidden);
  await a.screenshot({ path: path.join(OUT, 'track-closed-phone.png'), fullPage: true });
  assert.equal(server.db.query(`SELECT status, rating, reopen_count FROM appeals WHERE number = '${number}'`), 'closed|5|1');
  assert.deepEqual(ap.problems, []);
  await ap.ctx.close();
});

test('queue refresh: a new appeal and a status change made through the API show within 5 s', async () => {
  const ex = addUser(server, { login: 'ex-poll', role: 'executor', org: 'vodokanal', name: 'Ігор Черговий' });
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE);
  await signInPage(page, server.url, ex);
  await page.locator('#queue-total').getByText(/Усього: \d+/).waitFor();
  const res = await fetch(`${server.url}/api/v1/appeals`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(validAppeal({ description: 'Тече труба у дворі, калюжа до середини двору' , type: 'burst_pipe' })),
  });
  assert.equal(res.status, 201);
  const { number } = await res.json();
  const t0 = Date.now();
  const row = page.locator(`.q-row[data-number="${number}"]`);
  await row.waitFor({ timeout: 5000 });
  console.log(`# queue: a new appeal showed after ${Date.now() - t0} ms`);
  await page.screenshot({ path: path.join(OUT, 'staff-queue-phone.png'), fullPage: true });

  const api = await signIn(server, ex);
  const r = await api.call('POST', `/api/v1/appeals/${number}/actions`, { json: { action: 'accept' } });
  assert.equal(r.status, 200, r.text);
  const t1 = Date.now();
  await page.locator(`.q-row[data-number="${number}"] .q-due`).getByText(/виконання/).waitFor({ timeout: 5000 });
  console.log(`# queue: the accepted appeal changed after ${Date.now() - t1} ms`);
  assert.deepEqual(problems, []);
  await ctx.close();
});
