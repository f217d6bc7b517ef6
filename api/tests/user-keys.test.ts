/**
 * API.md §16 `/api/user/access-keys`: a member makes, uses and revokes their own keys; never sees or
 * touches another user's; at most MAX_KEYS_PER_USER live keys (also when requests race, on SQLite
 * and PostgreSQL); `limits` of the §14 shape, never wider than the calling key's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

type Auth = Record<string, string>;

describe('a member’s own keys', () => {
  let h: GatewayHarness;
  let admin: Auth;
  const member = async (name: string) => {
    const res = await h.t.request.post('/api/access-keys').set(admin).send({ name });
    return { id: res.body.id as string, userDid: res.body.userDid as string, auth: bearer(res.body.key) };
  };
  const chat = (auth: Auth) =>
    h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 10 });
  const own = (auth: Auth) => h.t.request.get('/api/user/access-keys').set(auth);

  beforeAll(async () => {
    h = await startGatewayHarness();
    admin = bearer(h.t.adminKey);
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-0000000000000030'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.001', outputRate: '0.01' }] });
  });
  afterAll(() => h.close());

  it('creates a member key shown once, calls with it, counts its calls and credits this month, and revokes it', async () => {
    const ada = await member('Ada');
    const created = await h.t.request.post('/api/user/access-keys').set(ada.auth).send({ name: 'my script' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'my script', userDid: ada.userDid, role: 'member', appId: null, limits: null, revokedAt: null });
    expect(created.body.key).toMatch(/^aigne_[A-Za-z0-9_-]{43}$/);
    const keyAuth = bearer(created.body.key);

    let listed = (await own(ada.auth)).body as Record<string, any>[];
    expect(listed.map((k) => k.id).sort()).toEqual([ada.id, created.body.id].sort());
    expect(listed.every((k) => !('key' in k))).toBe(true);
    expect(listed.find((k) => k.id === created.body.id)).toMatchObject({ lastUsedAt: null, usage: { calls: 0, credits: '0' } });

    const call = await chat(keyAuth);
    expect(call.status).toBe(200);
    const row = await modelCallRow(h.t, call.headers['x-aigne-hub-model-call-id']);
    expect(row).toMatchObject({ userDid: ada.userDid, accessKeyId: created.body.id, status: 'success' });
    const credits = Number(row!.creditsNano) / 1e9;
    expect(credits).toBeGreaterThan(0);

    listed = (await own(ada.auth)).body;
    const mine = listed.find((k) => k.id === created.body.id)!;
    expect(mine.usage).toEqual({ since: expect.stringMatching(/-01T00:00:00\.000Z$/), calls: 1, credits: String(credits) });
    expect(mine.lastUsedAt).not.toBeNull();
    // The key Ada signed in with made no call.
    expect(listed.find((k) => k.id === ada.id)!.usage).toMatchObject({ calls: 0, credits: '0' });

    // One of her keys reads another of hers by id.
    expect((await h.t.request.get(`/api/user/access-keys/${created.body.id}`).set(ada.auth)).body).toMatchObject({ id: created.body.id, name: 'my script' });

    expect((await h.t.request.delete(`/api/user/access-keys/${created.body.id}`).set(ada.auth)).status).toBe(204);
    expect((await chat(keyAuth)).status).toBe(401);
    expect((await own(ada.auth)).body.find((k: any) => k.id === created.body.id).revokedAt).not.toBeNull();
  });

  it('works from a browser session as from a key, and never makes an admin key', async () => {
    const grace = await member('Grace');
    const login = await h.t.request.post('/api/auth/login').send({ key: grace.auth.Authorization.slice('Bearer '.length) });
    const cookie = login.headers['set-cookie'] as unknown as string[];
    const created = await h.t.request.post('/api/user/access-keys').set('Cookie', cookie).send({ name: 'from the browser' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userDid: grace.userDid, role: 'member' });
    const asAdmin = await h.t.request.post('/api/user/access-keys').set(grace.auth).send({ name: 'sneaky', role: 'admin' });
    expect(asAdmin.status).toBe(400);
    const forOther = await h.t.request.post('/api/user/access-keys').set(grace.auth).send({ name: 'sneaky', userDid: 'someone-else' });
    expect(forOther.status).toBe(400);
    // Even the admin's own keys from here are member keys.
    const adminOwn = await h.t.request.post('/api/user/access-keys').set(admin).send({ name: 'admin script' });
    expect(adminOwn.body).toMatchObject({ role: 'member', userDid: 'admin' });
    expect((await h.t.request.get('/api/access-keys').set(bearer(adminOwn.body.key))).status).toBe(403);
    expect((await h.t.request.get('/api/user/access-keys')).status).toBe(401);
  });

  it('never lists, reads or revokes another user’s key: 404 as for a key that does not exist', async () => {
    const a = await member('A');
    const b = await member('B');
    const aKey = (await h.t.request.post('/api/user/access-keys').set(a.auth).send({ name: 'a-only' })).body;

    const bList = (await own(b.auth)).body as { id: string; userDid: string }[];
    expect(bList.map((k) => k.id)).toEqual([b.id]);
    const unknown = await h.t.request.delete('/api/user/access-keys/no-such-key').set(b.auth);
    const read = await h.t.request.get(`/api/user/access-keys/${aKey.id}`).set(b.auth);
    const revoke = await h.t.request.delete(`/api/user/access-keys/${aKey.id}`).set(b.auth);
    expect(read.status).toBe(404);
    expect(revoke.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(revoke.body.error.type).toBe(unknown.body.error.type);
    expect(revoke.body.error.message).toBe(`Access key '${aKey.id}' not found`);

    // A's key is untouched and still calls.
    expect((await own(a.auth)).body.find((k: any) => k.id === aKey.id).revokedAt).toBeNull();
    expect((await chat(bearer(aKey.key))).status).toBe(200);
    // B's own key cannot take A's key out through the admin routes either.
    expect((await h.t.request.delete(`/api/access-keys/${aKey.id}`).set(b.auth)).status).toBe(403);
  });

  it('takes limits of the API.md §14 shape, and refuses ones wider than the calling key’s', async () => {
    const m = await member('Limited');
    const create = (auth: Auth, limits: unknown) => h.t.request.post('/api/user/access-keys').set(auth).send({ name: 'k', limits });
    const bad = [{ rpm: 0 }, { rpm: 1.5 }, { tpm: -1 }, { maxConcurrent: '3' }, { models: [] }, { models: ['openai/gpt 4o'] }, { budget: { credits: '-1', period: 'day' } }, { budget: { credits: '10', period: 'year' } }, { budget: { credits: '10' } }, { rps: 5 }, 'fast'];
    for (const limits of bad) {
      const res = await create(m.auth, limits);
      expect(res.status, JSON.stringify(limits)).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }

    const limited = await create(m.auth, { rpm: 60, models: ['openai/*', 'openai/*'], budget: { credits: '10.50', period: 'month' } });
    expect(limited.status).toBe(201);
    expect(limited.body.limits).toEqual({ rpm: 60, tpm: null, maxConcurrent: null, models: ['openai/*'], budget: { credits: '10.5', period: 'month' } });
    expect((await own(m.auth)).body.find((k: any) => k.id === limited.body.id).limits).toEqual(limited.body.limits);
    // A key whose limits limit nothing has none.
    expect((await create(m.auth, { rpm: null, models: null })).body.limits).toBeNull();

    const L = bearer(limited.body.key);
    const wider: [unknown, string][] = [
      [{ rpm: 61 }, 'limits.rpm'],
      [{ models: ['anthropic/*'] }, 'limits.models'],
      [{ models: ['*'] }, 'limits.models'],
      [{ budget: { credits: '11', period: 'month' } }, 'limits.budget'],
      [{ budget: { credits: '1', period: 'day' } }, 'limits.budget'],
      [{ budget: { credits: '1', period: 'total' } }, null as unknown as string],
    ];
    for (const [limits, param] of wider) {
      const res = await create(L, limits);
      if (param === null) {
        expect(res.status, JSON.stringify(limits)).toBe(201);
        continue;
      }
      expect(res.status, JSON.stringify(limits)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'limits_too_wide', param });
    }
    for (const limits of [{ rpm: 60 }, { models: ['openai/gpt-4o-mini'] }, { budget: { credits: '0.3', period: 'day' } }, { tpm: 1000 }, null]) {
      expect((await create(L, limits)).status, JSON.stringify(limits)).toBe(201);
    }
  });

  it('lets a key given to an app make calls but not manage its user’s keys', async () => {
    const owner = await member('Owner');
    const appKey = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'app key', userDid: owner.userDid, appId: 'Some App' });
    const app = bearer(appKey.body.key);
    expect((await h.t.request.post('/api/user/access-keys').set(app).send({ name: 'more' })).status).toBe(403);
    expect((await h.t.request.delete(`/api/user/access-keys/${owner.id}`).set(app)).status).toBe(403);
    expect((await chat(app)).status).toBe(200);
  });
});

describe.each([{ db: 'sqlite' }, { db: 'postgres' }])('MAX_KEYS_PER_USER on $db', ({ db }) => {
  let t: TestHub;
  let admin: Auth;
  beforeAll(async () => {
    t = await startTestHub({ MAX_KEYS_PER_USER: '3' }, { postgres: db === 'postgres' });
    admin = bearer(t.adminKey);
  });
  afterAll(() => t.close());

  it('refuses a live key beyond the cap with 409, counting neither revoked nor expired keys', async () => {
    const m = await t.request.post('/api/access-keys').set(admin).send({ name: 'cap' });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    const auth = bearer(m.body.key);
    const make = () => t.request.post('/api/user/access-keys').set(auth).send({ name: 'extra' });
    const second = await make();
    const third = await make();
    expect([second.status, third.status]).toEqual([201, 201]);
    const fourth = await make();
    expect(fourth.status).toBe(409);
    expect(fourth.body.error).toMatchObject({ type: 'conflict', code: 'too_many_keys' });

    await t.request.delete(`/api/user/access-keys/${second.body.id}`).set(auth);
    expect((await make()).status).toBe(201);
    expect((await make()).status).toBe(409);

    await t.hub.sequelize.query(`UPDATE access_keys SET "expiresAt" = :past WHERE id = :id`, { replacements: { past: new Date(Date.now() - 1000), id: third.body.id } });
    expect((await make()).status).toBe(201);
    expect((await make()).status).toBe(409);
  });

  it('holds when requests race: exactly the keys left under the cap are made', async () => {
    const m = await t.request.post('/api/access-keys').set(admin).send({ name: 'racer' });
    const auth = bearer(m.body.key);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.request.post('/api/user/access-keys').set(auth).send({ name: `race ${i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409, 409, 409]);
    const live = (await t.request.get('/api/user/access-keys').set(auth)).body.filter((k: any) => !k.revokedAt);
    expect(live).toHaveLength(3);

    // Straight at the service, so that the transactions overlap for sure.
    const userDid = 'racing-user';
    await t.hub.services.users.ensure(userDid);
    const made = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => t.hub.services.accessKeys.create({ name: `direct ${i}`, userDid }, { maxLive: 3 })));
    expect(made.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(made.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.status)).toEqual(Array(9).fill(409));
  });
});
