/**
 * issue 28 finding 5: a browser session ends on logout, on key revocation, on a role change, when
 * idle, at its absolute end, and when the operator changes AIGNE_HUB_ADMIN_KEY; the database never
 * holds the cookie's value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../lib/crypto.js';
import { SESSION_COOKIE } from '../services/sessions.js';
import { waitFor } from './helpers/gateway.js';
import { bearer, makeTempDir, startTestHub, type TestHub } from './helpers/hub.js';

const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;

describe('browser sessions end when they should', () => {
  let t: TestHub;
  const newKey = async (role: 'admin' | 'member' = 'admin') =>
    (await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: `k-${role}`, role })).body as { id: string; key: string; userDid: string };
  const login = async (key: string) => {
    const res = await t.request.post('/api/auth/login').send({ key });
    expect(res.status).toBe(200);
    return cookieOf(res);
  };
  const admins = (cookie: string) => t.request.get('/api/access-keys').set('Cookie', cookie);

  beforeAll(async () => {
    t = await startTestHub({ SESSION_IDLE_MINUTES: '30' });
  });
  afterAll(() => t.close());

  it('logout ends the session: the same cookie reused is 401', async () => {
    const cookie = await login((await newKey()).key);
    expect((await admins(cookie)).status).toBe(200);
    const out = await t.request.post('/api/auth/logout').set('Cookie', cookie);
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/aigne_hub_session=;/);
    const reused = await admins(cookie);
    expect(reused.status).toBe(401);
    expect(reused.body.error.type).toBe('authentication_error');
    expect((await t.request.get('/api/auth/session').set('Cookie', cookie)).status).toBe(401);
  });

  it('stores only a hash of the cookie value', async () => {
    const cookie = await login((await newKey()).key);
    const value = decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
    const [rows] = await t.hub.sequelize.query('SELECT * FROM sessions');
    expect(JSON.stringify(rows)).not.toContain(value);
    expect((rows as { id: string }[]).map((r) => r.id)).toContain(sha256(value));
  });

  it('revoking the key ends its sessions and deletes their rows', async () => {
    const k = await newKey();
    const cookie = await login(k.key);
    expect((await t.request.delete(`/api/access-keys/${k.id}`).set(bearer(t.adminKey))).status).toBe(204);
    // Gone from the database before any request tries them (other instances read the same rows).
    const gone = async () => ((await t.hub.sequelize.query('SELECT id FROM sessions WHERE "keyId" = ?', { replacements: [k.id] }))[0] as unknown[]).length === 0;
    await waitFor(gone);
    expect((await admins(cookie)).status).toBe(401);
  });

  it('a role change ends the session instead of carrying it to the new role', async () => {
    const k = await newKey('admin');
    const cookie = await login(k.key);
    expect((await admins(cookie)).status).toBe(200);
    // What a role change made anywhere (another instance, an admin tool) leaves in the database.
    await t.hub.sequelize.query(`UPDATE access_keys SET role = 'member' WHERE id = ?`, { replacements: [k.id] });
    t.hub.services.accessKeys.clearCache();
    expect((await t.request.get('/api/auth/session').set('Cookie', cookie)).status).toBe(401);
    // Promoted back, the old session stays ended: a new login is needed.
    await t.hub.sequelize.query(`UPDATE access_keys SET role = 'admin' WHERE id = ?`, { replacements: [k.id] });
    t.hub.services.accessKeys.clearCache();
    expect((await admins(cookie)).status).toBe(401);
    expect((await admins(await login(k.key))).status).toBe(200);
  });

  it('ends a session left idle longer than SESSION_IDLE_MINUTES, and one past its absolute end', async () => {
    const idle = await login((await newKey()).key);
    const used = await login((await newKey()).key);
    const idValue = (cookie: string) => sha256(decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)));
    await t.hub.sequelize.query('UPDATE sessions SET "lastSeenAt" = ? WHERE id = ?', { replacements: [new Date(Date.now() - 31 * 60_000), idValue(idle)] });
    await t.hub.sequelize.query('UPDATE sessions SET "lastSeenAt" = ? WHERE id = ?', { replacements: [new Date(Date.now() - 29 * 60_000), idValue(used)] });
    expect((await admins(idle)).status).toBe(401);
    expect((await admins(used)).status).toBe(200);
    // Being used moved its idle clock.
    const [[row]] = (await t.hub.sequelize.query('SELECT "lastSeenAt" FROM sessions WHERE id = ?', { replacements: [idValue(used)] })) as [{ lastSeenAt: string }[], unknown];
    expect(Date.now() - new Date(row!.lastSeenAt).getTime()).toBeLessThan(60_000);

    await t.hub.sequelize.query('UPDATE sessions SET "expiresAt" = ? WHERE id = ?', { replacements: [new Date(Date.now() - 1000), idValue(used)] });
    expect((await admins(used)).status).toBe(401);
  });

  it('refuses cookies that name no session', async () => {
    for (const value of ['x', 'a'.repeat(43), 'not.a.session']) {
      expect((await t.request.get('/api/auth/session').set('Cookie', `${SESSION_COOKIE}=${value}`)).status).toBe(401);
    }
  });
});

describe('sessions of the built-in admin key', () => {
  it('end when the operator changes AIGNE_HUB_ADMIN_KEY', async () => {
    const dataDir = makeTempDir();
    const first = await startTestHub({ AIGNE_HUB_ADMIN_KEY: 'first-admin-key-0123456789' }, { dataDir });
    const cookie = cookieOf(await first.request.post('/api/auth/login').send({ key: 'first-admin-key-0123456789' }));
    expect((await first.request.get('/api/access-keys').set('Cookie', cookie)).status).toBe(200);
    await first.close();
    const again = await startTestHub({ AIGNE_HUB_ADMIN_KEY: 'first-admin-key-0123456789' }, { dataDir });
    expect((await again.request.get('/api/access-keys').set('Cookie', cookie)).status).toBe(200);
    await again.close();
    const rotated = await startTestHub({ AIGNE_HUB_ADMIN_KEY: 'second-admin-key-0123456789' }, { dataDir });
    expect((await rotated.request.get('/api/access-keys').set('Cookie', cookie)).status).toBe(401);
    await rotated.close();
  });
});
