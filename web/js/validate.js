// The same checks as the server (src/domain/validate.h, docs/API.md), so
// residents see a mistake next to the field before anything is sent.

// Unicode code points, like the server counts.
export const cpLength = (s) => [...s].length;

// Control characters other than \n, \r, \t (C0, DEL and C1, like the server).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
export const hasControl = (s) => CONTROL.test(s);

// A Ukrainian number in any usual spelling → "+380XXXXXXXXX", or null.
// The same rule as dom_phone_normalize: digits with the separators people
// type (space - ( ) .), an optional leading '+', then +380 / 380 / 00380 /
// 80 / 0 before the 9 national digits, which must not start with 0.
export function normalizePhone(text) {
  const s = String(text == null ? '' : text);
  if (s.length > 64) return null;
  let d = '';
  let plus = false;
  for (const c of s) {
    if (c >= '0' && c <= '9') {
      if (d.length >= 16) return null;
      d += c;
    } else if (c === '+') {
      if (plus || d) return null;
      plus = true;
    } else if (!' -().'.includes(c)) {
      return null;
    }
  }
  let national = null;
  if (plus) {
    if (d.length === 12 && d.startsWith('380')) national = d.slice(3);
  } else if (d.length === 12 && d.startsWith('380')) national = d.slice(3);
  else if (d.length === 14 && d.startsWith('00380')) national = d.slice(5);
  else if (d.length === 11 && d.startsWith('80')) national = d.slice(2);
  else if (d.length === 10 && d[0] === '0') national = d.slice(1);
  if (!national || national[0] === '0') return null;
  return '+380' + national;
}

// The same rule as dom_email_valid: a dot-atom local part (≤ 64) and a
// domain of ≥ 2 labels of letters, digits and inner hyphens; ≤ 254 in all.
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
export function emailValid(s) {
  if (!s || s.length > 254) return false;
  const at = s.indexOf('@');
  if (at < 0 || at !== s.lastIndexOf('@')) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!local || local.length > 64 || !local.split('.').every((p) => ATEXT.test(p))) return false;
  if (!domain || domain.length > 253) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

// "48,4647" (a decimal comma, common on Ukrainian keyboards) is a number too.
export function parseCoord(text) {
  const s = String(text || '').trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return NaN;
  return Number(s);
}

// bounds: [minLon, minLat, maxLon, maxLat] as in /api/v1/config.
export function inBounds(bounds, lat, lon) {
  if (!Array.isArray(bounds) || bounds.length !== 4) return true;
  const [minLon, minLat, maxLon, maxLat] = bounds;
  return lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon;
}
