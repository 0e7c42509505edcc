// The same checks as the server (src/domain/validate.h, docs/API.md), so
// residents see a mistake next to the field before anything is sent.

// Unicode code points, like the server counts.
export const cpLength = (s) => [...s].length;

// Control characters other than \n, \r, \t.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
export const hasControl = (s) => CONTROL.test(s);

// A Ukrainian number in any usual spelling → "+380XXXXXXXXX", or null.
export function normalizePhone(text) {
  const s = String(text || '').trim();
  if (!s || /[^0-9+\s().-]/.test(s)) return null;
  const plus = s.startsWith('+');
  if (s.slice(1).includes('+')) return null;
  const digits = s.replace(/[^0-9]/g, '');
  let national = null;
  let m;
  if ((m = /^380(\d{9})$/.exec(digits))) national = m[1];
  else if (!plus && (m = /^80(\d{9})$/.exec(digits))) national = m[1];
  else if (!plus && (m = /^0(\d{9})$/.exec(digits))) national = m[1];
  if (!national || national[0] === '0') return null;
  return '+380' + national;
}

export function emailValid(s) {
  if (!s || s.length > 254 || /[\s\u0000-\u001F\u007F]/.test(s)) return false;
  const at = s.indexOf('@');
  if (at < 1 || at !== s.lastIndexOf('@')) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length > 64 || !domain.includes('.')) return false;
  return domain.split('.').every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l));
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
