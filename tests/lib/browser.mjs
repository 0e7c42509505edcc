// Shared by the browser tests: Debian's chromium through playwright-core,
// offline like a machine without internet, and a page that collects every
// problem (page errors, console errors such as CSP violations, same-origin
// static files that fail).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './server.mjs';

export const OUT = path.join(ROOT, 'test-results'); // screenshots (gitignored)
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser() {
  mkdirSync(OUT, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
}

// A fresh context (own localStorage) on `serverUrl`: every request that
// leaves it is aborted (map tiles fail, as offline). Returns {ctx, page, problems}.
export async function openPage(browser, serverUrl, device = DESKTOP, { locale = 'uk-UA' } = {}) {
  const ctx = await browser.newContext({ ...device, locale });
  const origin = new URL(serverUrl).origin;
  await ctx.route((url) => url.origin !== origin, (route) => route.abort('internetdisconnected'));
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    // Offline tiles and expected API 404s show as "Failed to load resource".
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console: ' + m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin === origin && !u.pathname.startsWith('/api/') && r.status() >= 400) {
      problems.push(`HTTP ${r.status()} ${u.pathname}`);
    }
  });
  return { ctx, page, problems };
}
