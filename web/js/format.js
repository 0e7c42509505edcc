// Times (always Europe/Kyiv), durations and the words for codes.
import { t, has, lang, locale, unit } from './i18n.js';

// Old ICU data knows only "Europe/Kiev".
let ZONE = 'Europe/Kyiv';
try { new Intl.DateTimeFormat('en', { timeZone: ZONE }); } catch { ZONE = 'Europe/Kiev'; }

const fmtCache = new Map();
function fmt(kind) {
  const key = kind + '|' + lang();
  if (!fmtCache.has(key)) {
    const opts = kind === 'time'
      ? { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { timeZone: ZONE, day: 'numeric', month: 'long', year: 'numeric',
          hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    fmtCache.set(key, new Intl.DateTimeFormat(locale(), opts));
  }
  return fmtCache.get(key);
}

export function dateTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : fmt('dateTime').format(d);
}

export function timeOnly(d) { return fmt('time').format(d); }

// "24h" → "протягом 24 годин" / "within 24 hours"; "3d", "1mo" likewise.
export function within(code) {
  const m = /^(\d+)(h|d|mo)$/.exec(code || '');
  if (!m) return code || '';
  const n = Number(m[1]);
  const key = { h: 'unit.hour', d: 'unit.day', mo: 'unit.month' }[m[2]];
  return t('within', { n, unit: unit(key, n) });
}

export const priorityWord = (p) => (has('priority.' + p) ? t('priority.' + p) : p || '');
export const statusWord = (s) => (has('status.' + s) ? t('status.' + s) : s || '');

export function eventWord(kind) {
  return has('event.' + kind) ? t('event.' + kind) : t('event.unknown');
}

// Milliseconds → "2 дн. 3 год", "3 год 12 хв", "12 хв 5 с" (two largest units).
export function span(ms) {
  let s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts = [];
  if (d) parts.push(t('dur.d', { n: d }), t('dur.h', { n: h }));
  else if (h) parts.push(t('dur.h', { n: h }), t('dur.m', { n: m }));
  else parts.push(t('dur.m', { n: m }), t('dur.s', { n: s }));
  return parts.join(' ');
}
