// Starts the real kontakt binary on a fresh database (SQLite file or a new
// PostgreSQL database) on a free port, for HTTP and browser tests.
//
//   KONTAKT_BIN      the binary (default build/kontakt)
//   KONTAKT_TEST_DB  "sqlite" (default) or "pg"
//   KONTAKT_TEST_PG  for "pg": URL of a PostgreSQL server whose user may
//                    CREATE DATABASE, e.g. postgresql://postgres@127.0.0.1:5433/postgres
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const BIN = path.resolve(ROOT, process.env.KONTAKT_BIN || 'build/kontakt');
export const DB_KIND = process.env.KONTAKT_TEST_DB === 'pg' ? 'pg' : 'sqlite';

function pgUrlFor(base, dbname) {
  const u = new URL(base);
  u.pathname = '/' + dbname;
  return u.toString();
}

// A fresh, migrated database. Returns {url, query(sql) -> string rows, drop()}.
export function freshDatabase() {
  if (DB_KIND === 'pg') {
    const base = process.env.KONTAKT_TEST_PG;
    if (!base) throw new Error('KONTAKT_TEST_DB=pg needs KONTAKT_TEST_PG');
    const name = 'kontakt_t_' + randomBytes(6).toString('hex');
    execFileSync('psql', [base, '-v', 'ON_ERROR_STOP=1', '-qAtc', `CREATE DATABASE ${name}`]);
    const url = pgUrlFor(base, name);
    return {
      url,
      query: (sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]).toString().trim(),
      drop: () => {
        try {
          execFileSync('psql', [base, '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
        } catch { /* best effort */ }
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kontakt-test-'));
  const url = path.join(dir, 'kontakt.db');
  return {
    url,
    // The server's background jobs (sweeper, outbox sender) take short write
    // locks: wait for them as the server's own connections do.
    query: (sql) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', url, sql]).toString().trim(),
    drop: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function kontakt(args, opts = {}) {
  return execFileSync(BIN, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString();
}

// Starts `kontakt serve` on a migrated fresh database.
// opts.env: extra environment; opts.args: extra serve flags; opts.demo: count of demo appeals.
// Returns {url, port, db, logs(), stop()}.
export async function startServer(opts = {}) {
  const db = opts.db || freshDatabase();
  // Writable data (the Maildir of messages, photos) in a directory of its own.
  const varDir = mkdtempSync(path.join(tmpdir(), 'kontakt-var-'));
  // Tests post far more than a resident would: the rate limit has its own test.
  const env = { KONTAKT_RATE_APPEALS: '1000000', KONTAKT_VAR_DIR: varDir, ...process.env, ...(opts.env || {}) };
  kontakt(['migrate', '--db', db.url], { env });
  if (opts.demo) kontakt(['demo', '--db', db.url, '--count', String(opts.demo)], { env });
  const child = spawn(BIN, ['serve', '--db', db.url, '--port', '0', ...(opts.args || [])], {
    cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + log)), 20000);
    child.stderr.on('data', (chunk) => {
      log += chunk.toString();
      for (const line of log.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const j = JSON.parse(line);
          if (j.msg === 'listening' && j.port) { clearTimeout(timer); resolve(j.port); return; }
        } catch { /* partial line */ }
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${log}`)); });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, db, child, varDir,
    logs: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) { // not exited, nor killed by a test
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      if (!opts.db) db.drop();
      rmSync(varDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

// A valid appeal body; override parts with `over`.
export function validAppeal(over = {}) {
  return {
    category: 'water_supply',
    type: 'no_water',
    description: 'Немає холодної води у під\u02bcїзді з восьмої ранку',
    location: { lat: 48.4647, lon: 35.0462, address: 'просп. Дмитра Яворницького, 1' },
    applicant: { name: 'Олена Коваль', phone: '067 123 45 67', email: 'olena@example.com' },
    channel: 'web',
    ...over,
  };
}
