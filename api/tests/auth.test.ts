import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, makeTempDir, startTestHub, type TestHub } from './helpers/hub.js';

describe('authentication and roles', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('answers 401 with the API.md error body without a key or with an unknown one', async () => {
    const none = await t.request.get('/api/access-keys');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/application\/json/);
    expect(none.body.error).toMatchObject({ type: 'authentication_error' });
    expect(typeof none.body.error.message).toBe('string');
    const unknown = await t.request.get('/api/access-keys').set(bearer('aigne_not-a-real-key'));
    expect(unknown.status).toBe(401);
    expect(JSON.stringify(unknown.body)).not.toContain('aigne_not-a-real-key');
  });

  it('accepts AIGNE_HUB_ADMIN_KEY as an admin key', async () => {
    const res = await t.request.get('/api/access-keys').set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
  });

  it('issues a key once, stores only its hash, and lists keys without it', async () => {
    const created = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'ci app' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^aigne_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ name: 'ci app', role: 'member' });
    expect(created.body.userDid).toBeTruthy();
    const list = await t.request.get('/api/access-keys').set(bearer(t.adminKey));
    expect(list.body.find((k: { id: string }) => k.id === created.body.id)).toBeTruthy();
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    for (const row of list.body) expect(row.key).toBeUndefined();
    const [rows] = await t.hub.sequelize.query('SELECT * FROM access_keys');
    expect(JSON.stringify(rows)).not.toContain(created.body.key);
  });

  it('gives a member 403 on admin routes and lets it through the session route', async () => {
    const { body } = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'member' });
    const res = await t.request.get('/api/ai-providers').set(bearer(body.key));
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe('permission_denied');
    const session = await t.request.get('/api/auth/session').set(bearer(body.key));
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ did: body.userDid, role: 'member' });
  });

  it('revokes a key at once', async () => {
    const { body } = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'soon revoked', role: 'admin' });
    expect((await t.request.get('/api/apps').set(bearer(body.key))).status).toBe(200);
    expect((await t.request.delete(`/api/access-keys/${body.id}`).set(bearer(t.adminKey))).status).toBe(204);
    const after = await t.request.get('/api/apps').set(bearer(body.key));
    expect(after.status).toBe(401);
    expect((await t.request.delete('/api/access-keys/nope').set(bearer(t.adminKey))).status).toBe(404);
  });

  it('rejects an expired key and bad key input', async () => {
    const past = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'x', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toMatch(/expiresAt/);
    const role = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'x', role: 'root' });
    expect(role.status).toBe(400);
    const expiresAt = new Date(Date.now() + 3_600_000);
    const { body } = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'short', expiresAt: expiresAt.toISOString(), role: 'admin' });
    expect((await t.request.get('/api/apps').set(bearer(body.key))).status).toBe(200);
    // The hour passes on the hub's clock (the date is set, not waited for).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(expiresAt);
      const later = await t.request.get('/api/apps').set(bearer(body.key));
      expect(later.status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('opens an HttpOnly SameSite=Strict session cookie, and closes it', async () => {
    const bad = await t.request.post('/api/auth/login').send({ key: 'aigne_wrong' });
    expect(bad.status).toBe(401);
    const { body } = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'browser', role: 'admin' });
    const login = await t.request.post('/api/auth/login').send({ key: body.key });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/aigne_hub_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(body.key);
    const sessionCookie = cookie.split(';')[0]!;
    const me = await t.request.get('/api/auth/session').set('Cookie', sessionCookie);
    expect(me.body.user).toMatchObject({ role: 'admin', did: body.userDid });
    expect((await t.request.get('/api/apps').set('Cookie', sessionCookie)).status).toBe(200);
    // A tampered cookie is no session.
    expect((await t.request.get('/api/auth/session').set('Cookie', `${sessionCookie}x`)).status).toBe(401);
    // Revoking the key ends its sessions.
    await t.request.delete(`/api/access-keys/${body.id}`).set(bearer(t.adminKey));
    expect((await t.request.get('/api/auth/session').set('Cookie', sessionCookie)).status).toBe(401);
    const logout = await t.request.post('/api/auth/logout');
    expect(String(logout.headers['set-cookie'])).toMatch(/aigne_hub_session=;/);
  });

  it('makes the built-in admin a user that can hold credits', async () => {
    const grant = await t.request.post('/api/credits/grants').set(bearer(t.adminKey)).send({ userDid: 'admin', amount: '5' });
    expect(grant.status).toBe(201);
    const credits = await t.request.get('/api/user/credits').set(bearer(t.adminKey));
    expect(credits.body).toMatchObject({ balance: '5', currency: 'credits' });
  });

  it('never writes a key into the access log', async () => {
    const { body } = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'logged' });
    await t.request.get('/api/auth/session?token=' + body.key).set(bearer(body.key));
    const log = t.logLines.join('\n');
    expect(log).toContain('"msg":"request"');
    expect(log).not.toContain(body.key);
    expect(log).not.toContain(t.adminKey);
  });
});

describe('admin bootstrap without AIGNE_HUB_ADMIN_KEY', () => {
  it('generates an admin key on first start, prints it once and saves it with mode 0600', async () => {
    const dataDir = makeTempDir();
    const first = await startTestHub({ AIGNE_HUB_ADMIN_KEY: undefined }, { dataDir });
    expect(first.printed).toHaveLength(1);
    const file = path.join(dataDir, 'admin.key');
    const key = fs.readFileSync(file, 'utf8').trim();
    expect(first.printed[0]).toContain(key);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await first.request.get('/api/access-keys').set(bearer(key))).status).toBe(200);
    await first.close();
    const second = await startTestHub({ AIGNE_HUB_ADMIN_KEY: undefined }, { dataDir });
    expect(second.printed).toHaveLength(0);
    expect((await second.request.get('/api/access-keys').set(bearer(key))).status).toBe(200);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    await second.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
