// Browser test of the resident's cabinet (web/cabinet.html): sign in with a
// one-time code, my appeals (web and an operator's phone call, after adding
// the phone), one appeal with a comment, preferences, the export download,
// "me too" from the map, stop following, closing the account; and the same
// sign-in with the keyboard alone. Codes come through tests/lib/codes.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, openPage, OUT, DESKTOP } from '../lib/browser.mjs';
import { startServer, validAppeal } from '../lib/server.mjs';
import { addUser, signIn } from '../lib/staff.mjs';
import { lastCode, withDelivery } from '../lib/codes.mjs';

// The cheapest phones are 360 px wide.
const PHONE360 = { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const EMAIL = 'olena.kabinet@example.com';
const PHONE = '+380671112233';

let server, browser, operator;
before(async () => {
  // Codes arrive by a real SMTP server and the TurboSMS receiver.
  server = await withDelivery(startServer);
  browser = await launchBrowser();
  operator = await signIn(server, addUser(server, { login: 'op-cab', role: 'operator' }));
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function file(over) {
  const r = await fetch(`${server.url}/api/v1/appeals`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validAppeal(over)),
  });
  assert.equal(r.status, 201, await r.clone().text());
  return r.json();
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, name), fullPage: true });

test('a resident signs in by email, adds the phone, comments, exports, follows from the map and closes the cabinet', async () => {
  const web1 = await file({ applicant: { name: 'Олена Коваль', phone: '050 111 00 01', email: EMAIL } });
  const web2 = await file({ description: 'Вода тече з труби у дворі вже третій день',
    applicant: { name: 'Олена Коваль', phone: '050 111 00 02', email: EMAIL.toUpperCase() } });
  const other = await file({ description: 'Сусідський будинок теж без води з самого ранку', applicant: { name: 'Інший', phone: '050 999 00 09', email: 'other@example.com' } });
  const call = await operator.call('POST', '/api/v1/appeals', {
    json: validAppeal({ channel: 'phone', description: 'Дзвінок: прорив труби на розі вулиць', applicant: { name: 'Олена Коваль', phone: PHONE } }),
  });
  assert.equal(call.status, 201, call.text);
  const byPhone = call.body;

  const { ctx, page, problems } = await openPage(browser, server.url, PHONE360);
  await page.goto(`${server.url}/cabinet.html`);
  await page.locator('#signin').waitFor();
  assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Кабінет');
  await shot(page, 'cabinet-signin-phone.png');

  // email: the code goes out, a wrong one tells the attempts left
  await page.getByLabel('На електронну пошту').check();
  await page.getByLabel('Електронна пошта').fill(EMAIL);
  await page.getByRole('button', { name: 'Надіслати код' }).click();
  await page.locator('#si-verify').waitFor();
  assert.match(await page.locator('#si-sent').innerText(), /o•••@example\.com/);
  assert.equal(await page.locator('#si-code').getAttribute('inputmode'), 'numeric');
  assert.equal(await page.locator('#si-code').getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'si-code');
  assert.equal(await page.locator('#si-resend').isDisabled(), true); // the countdown runs
  assert.match(await page.locator('#si-resend').innerText(), /через/);
  const code = await lastCode(server, EMAIL);
  assert.match(code, /^\d{6}$/);
  await page.locator('#si-code').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Увійти' }).click();
  await page.locator('#si-code-error').getByText('Невірний код. Залишилося спроб: 4.').waitFor();
  await shot(page, 'cabinet-code-phone.png');
  await page.locator('#si-code').fill(code);
  await page.getByRole('button', { name: 'Увійти' }).click();

  // my appeals: the two web ones (the email matched whatever its case)
  await page.locator('#cabinet').waitFor();
  await page.locator('#mine .cab-item').nth(1).waitFor();
  let numbers = await page.locator('#mine .cab-item').evaluateAll((li) => li.map((x) => x.dataset.number));
  assert.deepEqual(new Set(numbers), new Set([web1.number, web2.number]));
  assert.match(await page.locator('#who').innerText(), new RegExp(EMAIL.replace('.', '\\.')));
  assert.match(await page.locator('#mine').innerText(), /Водоканал.*Виконати до/);

  // adding the phone brings the operator's call in
  await page.getByLabel('Номер телефону').fill('067 111 22 33');
  await page.locator('#add-send').getByRole('button', { name: 'Надіслати код' }).click();
  await page.locator('#add-verify').waitFor();
  await page.locator('#add-code').fill(await lastCode(server, PHONE));
  await page.getByRole('button', { name: 'Підтвердити' }).click();
  await page.locator(`#mine .cab-item[data-number="${byPhone.number}"]`).waitFor();
  numbers = await page.locator('#mine .cab-item').evaluateAll((li) => li.map((x) => x.dataset.number));
  assert.equal(numbers.length, 3);
  assert.equal(numbers[0], byPhone.number, 'newest first');
  assert.equal(await page.locator('#my-phone').innerText(), PHONE);
  assert.equal(await page.locator('#contact-add').isVisible(), false);
  await shot(page, 'cabinet-list-phone.png');

  // one appeal: the number in the address, focus on its heading, a comment
  await page.locator(`#mine .cab-item[data-number="${web1.number}"] a`).click();
  await page.locator('#detail').waitFor();
  assert.equal(new URL(page.url()).hash, '#' + web1.number);
  await page.locator('#d-heading').getByText(web1.number).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'd-heading');
  assert.match(await page.locator('#d-description').innerText(), /холодної води/);
  assert.match(await page.locator('#d-org').innerText(), /\S/);
  assert.equal(await page.locator('#da-confirm-box').isVisible(), false);
  await page.getByLabel('Додати коментар').fill('Вода досі не тече, перевірте, будь ласка');
  await page.getByRole('button', { name: 'Надіслати коментар' }).click();
  await page.locator('#da-ok').getByText('Коментар надіслано.').waitFor();
  await page.locator('#d-timeline').getByText('Заявник додав коментар').waitFor();
  assert.equal(await page.locator('#da-photo').isVisible(), true);
  await shot(page, 'cabinet-appeal-phone.png');
  // the photo route is not on this branch yet: a clear message, no crash
  await page.locator('#da-photo-file').setInputFiles({ name: 'yard.png', mimeType: 'image/png',
    buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64') });
  await page.getByRole('button', { name: 'Надіслати фото' }).click();
  await page.locator('#da-error').getByText(/Фото не додано|Фото додано/).or(page.locator('#da-ok').getByText('Фото додано.')).first().waitFor();

  // Back returns to the list
  await page.goBack();
  await page.locator('#list-view').waitFor();
  assert.equal(await page.locator('#detail').isVisible(), false);

  // preferences
  await page.getByLabel('Електронною поштою').check();
  await page.locator('#prefs').getByLabel('English').check();
  await page.getByRole('button', { name: 'Зберегти' }).click();
  await page.locator('#prefs-status').getByText('Збережено.').waitFor();
  const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
  assert.equal(me.resident.notify, 'email');
  assert.equal(me.resident.lang, 'en');

  // my data as one JSON download
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.resident.email, EMAIL);
  assert.equal(exported.resident.phone, PHONE);
  assert.deepEqual(new Set(exported.appeals.map((a) => a.number)), new Set([web1.number, web2.number, byPhone.number]));

  // "me too" from the map's card for someone else's appeal
  await page.goto(`${server.url}/map.html#number=${other.number}`);
  await page.locator('#mp-card-title').getByText(other.number).waitFor();
  await page.getByRole('button', { name: 'Я теж стикнувся(лась) — стежити' }).click();
  await page.locator('#mp-follow-status').getByText(`Ви стежите за зверненням № ${other.number}.`).waitFor();
  await page.locator('#mp-card').screenshot({ path: path.join(OUT, 'map-follow-phone.png') });
  await page.getByRole('button', { name: 'Я теж стикнувся(лась) — стежити' }).click();
  await page.locator('#mp-follow-status').getByText(/вже стежите/).waitFor();
  await page.getByRole('link', { name: 'Мої підписки в кабінеті' }).click();
  await page.locator(`#subs .cab-item[data-number="${other.number}"]`).waitFor();
  assert.ok(!(await page.locator('#subs').innerText()).includes('Сусідський'), 'no one else\'s words');
  await page.getByRole('button', { name: `Не стежити за зверненням № ${other.number}` }).click();
  await page.locator('#subs-status').getByText(/більше не стежите/).waitFor();
  assert.equal(await page.locator(`#subs .cab-item[data-number="${other.number}"]`).count(), 0);

  // closing asks first, then signs out
  await page.getByRole('button', { name: 'Закрити кабінет…' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'close-confirm');
  await page.getByRole('button', { name: 'Ні, залишити' }).click();
  assert.equal(await page.locator('#close-confirm').isVisible(), false);
  await page.getByRole('button', { name: 'Закрити кабінет…' }).click();
  await page.getByRole('button', { name: 'Так, закрити й видалити мої дані' }).click();
  await page.locator('#signin').waitFor();
  await page.locator('#cab-status').getByText(/Кабінет закрито/).waitFor();
  const status = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
  assert.equal(status, 401);
  const left = await server.db.query(`SELECT count(*) FROM appeals WHERE lower(coalesce(applicant_email, '')) = '${EMAIL}' OR applicant_phone = '${PHONE}'`);
  assert.equal(Number(left), 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('signing in and opening an appeal with the keyboard alone (desktop)', async () => {
  const email = 'keys@example.com';
  const a = await file({ applicant: { name: 'Петро', phone: '050 222 00 01', email } });
  const { ctx, page, problems } = await openPage(browser, server.url, DESKTOP);
  await page.goto(`${server.url}/cabinet.html`);
  await page.locator('#signin').waitFor();
  await shot(page, 'cabinet-signin-desktop.png');
  // Tab from the top reaches the skip link, then on to the sign-in form
  const seen = [];
  for (let i = 0; i < 20 && seen.at(-1) !== 'si-contact'; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement.id || document.activeElement.getAttribute('name') || document.activeElement.tagName));
  }
  assert.equal(seen.at(-1), 'si-contact', seen.join(' → '));
  assert.ok(seen.includes('si-kind'), 'the phone/email choice comes before the field: ' + seen.join(' → '));
  // the focus ring is visible
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('ArrowDown'); // the email radio
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await page.locator('#si-verify').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'si-code');
  await page.keyboard.type(await lastCode(server, email));
  await page.keyboard.press('Enter');
  await page.locator(`#mine .cab-item[data-number="${a.number}"]`).waitFor();
  await shot(page, 'cabinet-list-desktop.png');
  // Tab on to the appeal's link and open it with Enter: focus lands on its heading
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.classList.contains('cab-link'))) break;
  }
  await page.keyboard.press('Enter');
  await page.locator('#detail').waitFor();
  await page.locator('#d-heading').getByText(a.number).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'd-heading');
  await shot(page, 'cabinet-appeal-desktop.png');
  // Shift+Tab reaches the way back; the list gets the focus on that appeal
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'back');
  await page.keyboard.press('Enter');
  await page.locator('#list-view').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.closest('.cab-item')?.dataset.number), a.number);
  // English too
  await page.locator('#lang-switch').click();
  await page.locator('#mine-title').getByText('My appeals').waitFor();
  assert.match(await page.locator('#who').innerText(), /^Signed in: keys@example\.com/);
  // every word of the page has its English (a missing key shows as the key)
  const untranslated = await page.evaluate(() => [...document.querySelectorAll('[data-i18n]')]
    .filter((n) => n.textContent === n.dataset.i18n).map((n) => n.dataset.i18n));
  assert.deepEqual(untranslated, []);
  // signing out
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#signin').waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a done appeal: rate it and confirm it from the cabinet; a dispute needs words', async () => {
  const email = 'done@example.com';
  const a = await file({ applicant: { name: 'Дарина', phone: '050 333 00 01', email } });
  const exec = await signIn(server, addUser(server, { login: 'exec-cab', role: 'executor', org: 'vodokanal' }));
  const done = await exec.call('POST', `/api/v1/appeals/${a.number}/actions`, { json: { action: 'done', comment: 'Замінили засувку' } });
  assert.equal(done.status, 200, done.text);
  const { ctx, page, problems } = await openPage(browser, server.url, PHONE360);
  await page.goto(`${server.url}/cabinet.html#${a.number}`);
  await page.getByLabel('На електронну пошту').check();
  await page.getByLabel('Електронна пошта').fill(email);
  await page.getByRole('button', { name: 'Надіслати код' }).click();
  await page.locator('#si-code').fill(await lastCode(server, email));
  await page.getByRole('button', { name: 'Увійти' }).click();
  // signed in, the address still opens that appeal
  await page.locator('#d-heading').getByText(a.number).waitFor();
  await page.locator('#da-confirm-box').waitFor();
  assert.equal(await page.locator('#da-comment').isVisible(), true); // done is not final: a comment may follow
  await shot(page, 'cabinet-done-phone.png');
  await page.locator('#d-actions').screenshot({ path: path.join(OUT, 'cabinet-actions-phone.png') });
  await page.getByRole('button', { name: 'Ні, не вирішено — повернути на доопрацювання' }).click();
  await page.locator('#da-error').getByText(/без коментаря/).waitFor();
  assert.equal(await page.locator('#da-dispute-text').getAttribute('aria-invalid'), 'true');
  await page.locator('#da-rate').getByText('5', { exact: true }).click();
  await page.getByRole('button', { name: 'Надіслати оцінку' }).click();
  await page.locator('#da-ok').getByText('Дякуємо за оцінку! Ваша оцінка: 5 з 5.').waitFor();
  assert.equal(await page.locator('#da-rate').isVisible(), false);
  await page.getByRole('button', { name: 'Так, проблему вирішено' }).click();
  await page.locator('#da-ok').getByText('Дякуємо! Звернення закрито.').waitFor();
  assert.equal(await page.locator('#d-status').innerText(), 'Закрито');
  assert.equal(await page.locator('#da-confirm-box').isVisible(), false);
  await page.locator('#d-timeline').getByText('Заявник підтвердив виконання').waitFor();
  await page.locator('#d-timeline').getByText('Заявник оцінив роботу').waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('no SMS gateway: a phone gets a way to email; asking again too soon says how long to wait', async () => {
  const plain = await withDelivery(startServer, { sms: false }); // no SMS gateway
  try {
    const { ctx, page, problems } = await openPage(browser, plain.url, PHONE360);
    await page.goto(`${plain.url}/cabinet.html`);
    await page.getByLabel('Номер телефону').fill('067 123 45 67');
    await page.getByRole('button', { name: 'Надіслати код' }).click();
    await page.locator('#si-error').getByText(/SMS не налаштовано/).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'si-error');
    await page.getByRole('button', { name: 'Увійти за поштою' }).click();
    assert.equal(await page.getByLabel('На електронну пошту').isChecked(), true);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'si-contact');
    assert.equal(await page.locator('#si-contact').getAttribute('type'), 'email');
    await page.getByLabel('Електронна пошта').fill('wait@example.com');
    await page.getByRole('button', { name: 'Надіслати код' }).click();
    await page.locator('#si-verify').waitFor();
    // "use another phone or email", then the same address again at once
    await page.getByRole('button', { name: 'Змінити телефон чи пошту' }).click();
    await page.getByRole('button', { name: 'Надіслати код' }).click();
    await page.locator('#si-error').getByText(/Забагато запитів. Спробуйте ще раз через/).waitFor();
    // the code sent a moment ago is still good: its field is back, with the countdown
    assert.equal(await page.locator('#si-verify').isVisible(), true);
    assert.equal(await page.locator('#si-resend').isDisabled(), true);
    await page.locator('#si-code').fill(await lastCode(plain, 'wait@example.com'));
    await page.getByRole('button', { name: 'Увійти' }).click();
    await page.locator('#cabinet').waitFor();
    await page.locator('#mine-empty').waitFor();
    assert.deepEqual(problems, []);
    await ctx.close();
  } finally {
    await plain.stop();
  }
});
