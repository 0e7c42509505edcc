// fetch wrapper for the Kontakt API (docs/API.md). Every call asks for the
// page's language so the server's messages match the page.
import { lang } from './i18n.js';

export class NetworkError extends Error {}

// Returns {ok, status, data, headers}; data is the parsed JSON body or null.
// Throws NetworkError when the server cannot be reached.
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': lang(), ...headers };
  let text;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    text = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: text, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new NetworkError(e && e.message ? e.message : 'network');
  }
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  return { ok: res.ok, status: res.status, data, headers: res.headers };
}

const memo = new Map();
function once(path) {
  if (!memo.has(path)) {
    const p = api(path).then((r) => {
      if (!r.ok || !r.data) throw new Error(`${path}: HTTP ${r.status}`);
      return r.data;
    });
    p.catch(() => memo.delete(path)); // let a later call try again
    memo.set(path, p);
  }
  return memo.get(path);
}

export const getConfig = () => once('/api/v1/config');
export const getCategories = () => once('/api/v1/categories').then((d) => d.categories || []);
