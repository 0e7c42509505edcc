// Sign-in without a password (docs/RESIDENTS.md): a phone or email, "send
// the code" (POST /api/v1/auth/code), then the 6-digit code (POST
// /api/v1/auth/code/verify). The same box adds a phone or email to the
// account when the resident is signed in already (the caller passes the
// CSRF header; the server joins the contact to the session's account).
import { el, say } from './common.js';
import { api, NetworkError } from './api.js';
import { applyI18n, t } from './i18n.js';
import { span, timeOnly } from './format.js';

// API error → one line: the message and every field's message.
export function errorText(r) {
  if (!r) return t('error.network');
  const e = r.data && r.data.error;
  if (!e) return t('error.server');
  const fields = e.fields ? Object.values(e.fields).map((f) => f.message).filter(Boolean).join(' ') : '';
  if (!fields || fields === e.message) return e.message;
  return `${e.message}${/[.!?…]$/.test(e.message) ? '' : '.'} ${fields}`;
}

const field = (id, labelKey, hintKey, input) => el('div', { class: 'field' },
  el('label', { for: id, id: id + '-label', 'data-i18n': labelKey }),
  el('p', { id: id + '-hint', class: 'hint', 'data-i18n': hintKey || null, hidden: !hintKey }),
  el('p', { id: id + '-error', class: 'field-error', hidden: true }),
  input);

// Builds the two small forms into `root`; ids start with `p`.
// opts: kinds (['phone','email'] or one of them), submitKey (the verify
// button), headers() (extra request headers), onDone(data) after a 200.
export function codeBox(root, p, opts) {
  const s = { kind: opts.kinds[0], to: null, sentTo: null, left: 0, timer: null };
  const $ = (x) => root.querySelector('#' + p + '-' + x);
  const radio = (kind, key) => el('label', {},
    el('input', { type: 'radio', name: p + '-kind', value: kind, checked: kind === s.kind }), ' ',
    el('span', { 'data-i18n': key }));
  root.replaceChildren(
    el('div', { id: p + '-error', class: 'submit-error', role: 'alert', tabindex: '-1', hidden: true }),
    el('form', { id: p + '-send', novalidate: true },
      el('fieldset', { class: 'radio-group', hidden: opts.kinds.length < 2 },
        el('legend', { 'data-i18n': 'cab.code.where' }),
        el('div', { class: 'cab-choices' },
          opts.kinds.includes('phone') ? radio('phone', 'cab.code.byPhone') : null,
          opts.kinds.includes('email') ? radio('email', 'cab.code.byEmail') : null)),
      field(p + '-contact', 'cab.code.phone', 'cab.code.phoneHint',
        el('input', { id: p + '-contact', type: 'tel', autocomplete: 'tel', 'aria-describedby': `${p}-contact-hint ${p}-contact-error` })),
      el('p', {}, el('button', { type: 'submit', class: 'button button-primary', 'data-i18n': 'cab.code.send' }))),
    el('form', { id: p + '-verify', novalidate: true, hidden: true },
      el('p', { id: p + '-sent', class: 'action-ok', role: 'status' }),
      field(p + '-code', 'cab.code.label', null,
        el('input', { id: p + '-code', class: 'code-input', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
          maxlength: '6', pattern: '[0-9]{6}', spellcheck: 'false', 'aria-describedby': `${p}-code-error` })),
      el('p', {}, el('button', { type: 'submit', class: 'button button-primary', 'data-i18n': opts.submitKey })),
      el('p', { class: 'button-row' },
        el('button', { type: 'button', id: p + '-resend', class: 'button button-secondary' }),
        el('button', { type: 'button', id: p + '-change', class: 'link-button', 'data-i18n': 'cab.code.change' }))));
  applyI18n(root);

  const input = $('contact');
  function setKind(kind) {
    s.kind = kind;
    const phone = kind === 'phone';
    input.type = phone ? 'tel' : 'email';
    input.autocomplete = phone ? 'tel' : 'email';
    input.inputMode = phone ? 'tel' : 'email';
    $('contact-label').dataset.i18n = phone ? 'cab.code.phone' : 'cab.code.email';
    $('contact-hint').dataset.i18n = phone ? 'cab.code.phoneHint' : 'cab.code.emailHint';
    applyI18n(root);
    fieldError('contact', '');
  }
  function fieldError(name, text) {
    say($(name + '-error'), text);
    if (text) $(name).setAttribute('aria-invalid', 'true');
    else $(name).removeAttribute('aria-invalid');
  }
  function renderResend() {
    const b = $('resend');
    b.disabled = s.left > 0;
    b.textContent = s.left > 0 ? t('cab.code.resendIn', { left: span(s.left * 1000) }) : t('cab.code.resend');
  }
  function countdown(seconds) {
    clearInterval(s.timer);
    s.left = Math.max(0, Math.ceil(seconds));
    renderResend();
    s.timer = setInterval(() => {
      s.left -= 1;
      if (s.left <= 0) { s.left = 0; clearInterval(s.timer); }
      renderResend();
    }, 1000);
  }
  const body = () => ({ [s.kind]: s.to });
  const post = async (path, b) => {
    try {
      return await api(path, { method: 'POST', body: b, headers: opts.headers() });
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      return null;
    }
  };
  // The problem with the whole request (limits, SMS off, network).
  function boxError(text, extra) {
    const box = $('error');
    say(box, text);
    if (extra) box.append(' ', extra);
    if (text) box.focus();
  }
  function retryAfter(r) {
    const n = Number(r.headers.get('Retry-After'));
    return Number.isFinite(n) && n > 0 ? n : 60;
  }

  function check() {
    const v = input.value.trim();
    if (s.kind === 'phone') {
      if (!v) return 'cab.code.needPhone';
      if (v.replace(/\D/g, '').length < 9) return 'cab.code.badPhone';
    } else {
      if (!v) return 'cab.code.needEmail';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return 'cab.code.badEmail';
    }
    return null;
  }

  async function send(ev) {
    if (ev) ev.preventDefault();
    boxError('');
    fieldError('contact', '');
    const bad = check();
    if (bad) { fieldError('contact', t(bad)); input.focus(); return; }
    s.to = input.value.trim();
    const button = ev && ev.submitter ? ev.submitter : $('resend');
    button.disabled = true;
    const r = await post('/api/v1/auth/code', body());
    button.disabled = false;
    if (r && r.status === 202 && r.data) {
      s.sentTo = s.to;
      $('send').hidden = true;
      $('verify').hidden = false;
      say($('sent'), t('cab.code.sentTo', { to: r.data.sent_to, time: timeOnly(new Date(r.data.expires_at)) }));
      countdown(r.data.retry_after_s || 60);
      $('code').value = '';
      fieldError('code', '');
      $('code').focus();
      return;
    }
    if (r && r.status === 429) {
      const wait = retryAfter(r);
      // The code sent a moment ago to this very contact is still good: ask for it.
      if (s.to === s.sentTo) { $('send').hidden = true; $('verify').hidden = false; }
      if (!$('verify').hidden) countdown(wait);
      boxError(t('cab.code.wait', { left: span(wait * 1000) }));
      return;
    }
    if (r && r.status === 503 && r.data && r.data.error && r.data.error.code === 'channel_unavailable' && s.kind === 'phone') {
      const canEmail = opts.kinds.includes('email');
      const b = canEmail ? el('button', { type: 'button', class: 'link-button', text: t('cab.code.useEmail'),
        onclick: () => { root.querySelector(`input[value="email"]`).checked = true; setKind('email'); boxError(''); input.focus(); } }) : null;
      boxError(r.data.error.message, b);
      return;
    }
    if (r && r.status === 422 && r.data && r.data.error && r.data.error.fields) {
      fieldError('contact', errorText(r));
      input.focus();
      return;
    }
    boxError(errorText(r));
  }

  async function verify(ev) {
    ev.preventDefault();
    boxError('');
    fieldError('code', '');
    const code = $('code').value.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) { fieldError('code', t('cab.code.need')); $('code').focus(); return; }
    const button = ev.submitter;
    if (button) button.disabled = true;
    const r = await post('/api/v1/auth/code/verify', { ...body(), code });
    if (button) button.disabled = false;
    if (r && r.status === 200 && r.data) {
      clearInterval(s.timer);
      await opts.onDone(r.data);
      return;
    }
    const e = r && r.data && r.data.error;
    if (e && e.code === 'code_invalid') {
      // fields.code.message ends with the attempts left: "… (4)"
      const m = /(\d+)\D*$/.exec((e.fields && e.fields.code && e.fields.code.message) || '');
      $('code').select();
      fieldError('code', m ? t('cab.code.wrong', { n: m[1] }) : errorText(r));
      $('code').focus();
      return;
    }
    if (e && e.code === 'code_expired') {
      $('code').value = '';
      fieldError('code', t('cab.code.expired'));
      $('code').focus();
      return;
    }
    if (r && r.status === 429) { boxError(t('cab.code.wait', { left: span(retryAfter(r) * 1000) })); return; }
    boxError(errorText(r));
  }

  function change() {
    clearInterval(s.timer);
    boxError('');
    $('verify').hidden = true;
    $('send').hidden = false;
    input.focus();
  }

  for (const r of root.querySelectorAll(`input[name="${p}-kind"]`)) r.addEventListener('change', () => setKind(r.value));
  $('send').addEventListener('submit', send);
  $('verify').addEventListener('submit', verify);
  $('resend').addEventListener('click', () => send(null));
  $('change').addEventListener('click', change);
  setKind(s.kind);
  return {
    relabel() { applyI18n(root); renderResend(); },
    reset() { change(); input.value = ''; },
    stop() { clearInterval(s.timer); },
  };
}
