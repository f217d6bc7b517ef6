/**
 * Without TEST_DATABASE_URL the test setup starts PostgreSQL from npm — no root, no apt, no server
 * installed — and leaves nothing behind: not when the run ends, not when the run is killed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/gateway.js';
import setup from './global-setup.js';
import { alive } from '../helpers/process-alive.js';

const root = path.resolve(import.meta.dirname, '../../..');

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** True once nothing answers at `url`. */
const refused = (url: string) =>
  query(url, 'SELECT 1').then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED',
  );

describe('PostgreSQL for the tests, from npm', () => {
  const suiteUrl = process.env.TEST_DATABASE_URL;
  afterEach(() => {
    process.env.TEST_DATABASE_URL = suiteUrl;
  });

  it('global setup starts a server of its own when TEST_DATABASE_URL is unset, and stops it on teardown', { timeout: 150_000 }, async () => {
    delete process.env.TEST_DATABASE_URL;
    const teardown = await setup();
    expect(typeof teardown, 'setup returns its teardown').toBe('function');
    const url = process.env.TEST_DATABASE_URL!;
    expect(url).toMatch(/^postgres:\/\/aigne_hub:[0-9a-f]+@127\.0\.0\.1:\d+\/aigne_hub_test$/);
    try {
      // The suite's role creates and drops databases without being a superuser.
      const [me] = await query<{ rolsuper: boolean; rolcreatedb: boolean }>(url, `SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user`);
      expect(me).toEqual({ rolsuper: false, rolcreatedb: true });
      await query(url, 'CREATE DATABASE aigne_hub_probe');
      await query(url, 'DROP DATABASE aigne_hub_probe');
    } finally {
      await teardown!();
    }
    expect(await refused(url)).toBe(true);
  });

  it('stops the server and removes its directory when the process that started it is killed', { timeout: 150_000 }, async () => {
    const script = `import { startEmbeddedPostgres } from ${JSON.stringify(path.join(import.meta.dirname, 'embedded-postgres.ts'))};
      const s = await startEmbeddedPostgres();
      console.log(JSON.stringify({ url: s.url, dir: s.dir, pid: s.pid }));
      setInterval(() => {}, 60_000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (d) => (out += d));
    const started = await waitFor(async () => out.includes('\n') && (JSON.parse(out) as { url: string; dir: string; pid: number }), 120_000);
    expect(await query(started.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(fs.existsSync(started.dir)).toBe(true);

    parent.kill('SIGKILL');
    await waitFor(async () => !alive(started.pid), 30_000);
    expect(await refused(started.url)).toBe(true);
    expect(fs.existsSync(started.dir)).toBe(false);
  });
});
