/**
 * issue 28 findings 5 and 6 across instances: two hub processes on one PostgreSQL database share
 * sessions (a logout on one ends the session on the other at once) and failed-login counters.
 */
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../services/login-throttle.js';
import { openDatabase } from '../../store/sequelize.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';
import { call, startHubProcess, type HubProcess } from './hub-process.js';

const ADMIN = 'sessions-pg-admin-key-00000000';
const SECRET = 'sessions-pg-secret-0123456789abcdef';

describePostgres('sessions and login throttling across instances', () => {
  let database: TestDatabase;
  let db: Sequelize;
  let a: HubProcess;
  let b: HubProcess;

  const login = (hub: HubProcess, key: string, address: string) =>
    fetch(`${hub.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ key }) });
  const session = (hub: HubProcess, cookie: string) => fetch(`${hub.url}/api/auth/session`, { headers: { cookie } }).then((r) => r.status);

  beforeAll(async () => {
    database = await createTestDatabase('sessions');
    const env = (dataDir: string) => ({ DATABASE_URL: database.url, AIGNE_HUB_DATA_DIR: dataDir, AIGNE_HUB_ADMIN_KEY: ADMIN, AIGNE_HUB_SECRET: SECRET });
    [a, b] = await Promise.all([makeTempDir(), makeTempDir()].map((d) => startHubProcess(env(d))));
    db = openDatabase({ sqlitePath: '', databaseUrl: database.url });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await database?.drop();
  });

  it('ends on B at once a session logged out on A', async () => {
    const member = await call(`${a.url}/api/access-keys`, ADMIN, 'POST', { name: 'browser' });
    const res = await login(a, member.body.key, '192.0.2.1');
    expect(res.status).toBe(200);
    const cookie = String(res.headers.get('set-cookie')).split(';')[0]!;
    expect(await session(b, cookie)).toBe(200);
    expect(await session(a, cookie)).toBe(200);
    expect((await fetch(`${a.url}/api/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(200);
    expect(await session(b, cookie)).toBe(401);
    expect(await session(a, cookie)).toBe(401);
  });

  it('counts failed logins on both instances together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) statuses.push((await login(i % 2 ? a : b, `aigne_${String(i).padStart(4, '0')}-wrong-key-000000`, '198.51.100.7')).status);
    expect(statuses).toEqual(Array(LOGIN_LIMITS.perAddress).fill(401));
    for (const hub of [a, b]) {
      const limited = await login(hub, `aigne_last-${hub === a ? 'a' : 'b'}-wrong-key-0000`, '198.51.100.7');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const [rows] = (await db.query('SELECT key, points FROM rate_limits')) as [{ key: string; points: number }[], unknown];
    expect(rows.find((r) => r.key === 'login-address:198.51.100.7')?.points).toBe(LOGIN_LIMITS.perAddress);
    // Key prefixes are kept hashed.
    expect(JSON.stringify(rows)).not.toMatch(/aigne_|0000-wrong|0001/);
  });
});
