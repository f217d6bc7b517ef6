/**
 * API.md §16, an app asks a user for a key (PKCE): the signed-in user approves, the app trades the
 * one-time code and its verifier for a member key naming the app, and its calls are billed to the
 * user. Each refusal: a wrong verifier, a used code, an expired code, callbacks that are not https:
 * or loopback http:, and approval without a signed-in user.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { creditsToNano } from '../lib/decimal.js';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

type Auth = Record<string, string>;

const pkcePair = () => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('apps that ask a user for a key', () => {
  let h: GatewayHarness;
  let admin: Auth;
  let user: { auth: Auth; userDid: string; cookie: string[] };

  const authorize = (auth: Auth | null, body: Record<string, unknown>) => {
    const req = h.t.request.post('/api/auth/authorize');
    return (auth ? req.set(auth) : req).send(body);
  };
  const approve = async (challenge: string, extra: Record<string, unknown> = {}) => {
    const res = await authorize({ Cookie: user.cookie.join('; ') }, { callback_url: 'http://127.0.0.1:4567/callback?from=app', code_challenge: challenge, code_challenge_method: 'S256', app_name: 'Note Taker', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const url = new URL(res.body.redirectUrl);
    return { url, code: url.searchParams.get('code')! };
  };
  const exchange = (code: string, code_verifier: string) => h.t.request.post('/api/auth/keys').send({ code, code_verifier });
  const chat = (auth: Auth) =>
    h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 10 });

  beforeAll(async () => {
    h = await startGatewayHarness({ CREDIT_BASED_BILLING_ENABLED: 'true' });
    admin = bearer(h.t.adminKey);
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-0000000000000031'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.001', outputRate: '0.01' }] });
    const key = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'Lin' });
    const login = await h.t.request.post('/api/auth/login').send({ key: key.body.key });
    user = { auth: bearer(key.body.key), userDid: key.body.userDid, cookie: login.headers['set-cookie'] as unknown as string[] };
    await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: user.userDid, amount: '2' });
  });
  afterAll(() => h.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the app a member key of the approving user, named for the app, whose calls the user pays for', async () => {
    const { verifier, challenge } = pkcePair();
    const { url, code } = await approve(challenge, { state: 'xyz' });
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:4567/callback');
    expect(url.searchParams.get('from')).toBe('app');
    expect(url.searchParams.get('state')).toBe('xyz');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the code's hash is kept.
    const [stored] = (await h.t.hub.sequelize.query('SELECT * FROM auth_codes')) as [Record<string, unknown>[], unknown];
    expect(JSON.stringify(stored)).not.toContain(code);

    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ key: expect.stringMatching(/^aigne_/), userDid: user.userDid });
    expect(res.headers['cache-control']).toBe('no-store');

    const key = (await h.t.request.get('/api/user/access-keys').set(user.auth)).body.find((k: any) => k.appId === 'Note Taker');
    expect(key).toMatchObject({ name: 'Note Taker', role: 'member', userDid: user.userDid, limits: null });

    const before = (await h.t.request.get('/api/user/credits').set(user.auth)).body.balance;
    const call = await chat(bearer(res.body.key));
    expect(call.status).toBe(200);
    const row = await modelCallRow(h.t, call.headers['x-aigne-hub-model-call-id']);
    expect(row).toMatchObject({ userDid: user.userDid, appId: 'Note Taker', accessKeyId: key.id });
    const after = (await h.t.request.get('/api/user/credits').set(user.auth)).body.balance;
    expect(creditsToNano(before) - creditsToNano(after)).toBe(Number(row!.creditsNano));
    expect(Number(row!.creditsNano)).toBeGreaterThan(0);
  });

  it('carries the limits the user approved', async () => {
    const { verifier, challenge } = pkcePair();
    const limits = { rpm: 10, models: ['openai/*'], budget: { credits: '1', period: 'day' } };
    const { code } = await approve(challenge, { limits });
    const res = await exchange(code, verifier);
    const key = (await h.t.request.get('/api/user/access-keys').set(user.auth)).body.find((k: any) => k.key === undefined && k.limits?.rpm === 10);
    expect(key.limits).toEqual({ rpm: 10, tpm: null, maxConcurrent: null, models: ['openai/*'], budget: { credits: '1', period: 'day' } });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong verifier (and the code still serves its own app), then a second use of the code', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await approve(challenge);
    const wrong = await exchange(code, pkcePair().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_code_verifier' });
    expect((await exchange(code, 'short')).body.error.code).toBe('invalid_code_verifier');

    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    const again = await exchange(code, verifier);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('code_used');
    expect(again.body).not.toHaveProperty('key');
    // RFC 6749 §4.1.2: a code presented twice takes back the key it gave.
    expect((await chat(bearer(first.body.key))).status).toBe(401);
    expect((await exchange('never-issued', verifier)).body.error.code).toBe('invalid_code');
  });

  it('trades a code once even when two exchanges race', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await approve(challenge);
    const results = await Promise.all([exchange(code, verifier), exchange(code, verifier), exchange(code, verifier)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  it('refuses a code after its five minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const late = pkcePair();
    const inTime = pkcePair();
    const { code: lateCode } = await approve(late.challenge);
    const { code: inTimeCode } = await approve(inTime.challenge);
    vi.setSystemTime(start + 5 * 60_000 - 1000);
    expect((await exchange(inTimeCode, inTime.verifier)).status).toBe(200);
    vi.setSystemTime(start + 5 * 60_000 + 1000);
    const res = await exchange(lateCode, late.verifier);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('code_expired');
  });

  it('takes only https: callbacks, or http: to a loopback address', async () => {
    const { challenge } = pkcePair();
    const body = (callback_url: string) => ({ callback_url, code_challenge: challenge, code_challenge_method: 'S256', app_name: 'Cb' });
    const cookie = { Cookie: user.cookie.join('; ') };
    for (const ok of ['https://app.example.com/cb', 'http://127.0.0.1:8765/cb', 'http://localhost:1234/cb?x=1', 'http://[::1]:9/cb', 'http://127.1/cb']) {
      expect((await authorize(cookie, body(ok))).status, ok).toBe(201);
    }
    for (const bad of ['http://app.example.com/cb', 'http://10.0.0.1/cb', 'http://127.0.0.1.nip.io/cb', 'http://[::ffff:7f00:1]/cb', 'javascript:alert(1)', 'ftp://files.example.com/', 'https://user:pw@app.example.com/cb', 'https://app.example.com/cb#frag', 'not a url']) {
      const res = await authorize(cookie, body(bad));
      expect(res.status, bad).toBe(400);
      expect(res.body.error.param, bad).toBe('callback_url');
    }
    const { url } = await approve(challenge, { callback_url: 'http://localhost:1234/cb' });
    expect(url.host).toBe('localhost:1234');
  });

  it('refuses approval without a signed-in user, by an app’s own key, with plain challenges or wider limits', async () => {
    const { challenge } = pkcePair();
    const base = { callback_url: 'https://app.example.com/cb', code_challenge: challenge, code_challenge_method: 'S256', app_name: 'X' };
    expect((await authorize(null, base)).status).toBe(401);
    expect((await authorize(user.auth, { ...base, code_challenge_method: 'plain' })).status).toBe(400);
    expect((await authorize(user.auth, { ...base, code_challenge: 'too-short' })).status).toBe(400);
    expect((await authorize(user.auth, { ...base, app_name: 'bad\u0007name' })).status).toBe(400);
    expect((await authorize(user.auth, { ...base, limits: { rpm: 0 } })).status).toBe(400);

    const { verifier, challenge: c2 } = pkcePair();
    const { code } = await approve(c2, { limits: { rpm: 5 } });
    const appKey = bearer((await exchange(code, verifier)).body.key);
    expect((await authorize(appKey, base)).status).toBe(403);
  });
});

describe('the key cap and the authorize flow', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ MAX_KEYS_PER_USER: '2' });
  });
  afterAll(() => h.close());

  it('says so at approval, and refuses the exchange when the cap was reached meanwhile', async () => {
    const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'Capped' });
    const auth = bearer(key.body.key);
    const body = (challenge: string) => ({ callback_url: 'https://app.example.com/cb', code_challenge: challenge, code_challenge_method: 'S256', app_name: 'Capped app' });
    const p = pkcePair();
    const approved = await h.t.request.post('/api/auth/authorize').set(auth).send(body(p.challenge));
    expect(approved.status).toBe(201);
    // The second live key is made before the app comes back with its code.
    expect((await h.t.request.post('/api/user/access-keys').set(auth).send({ name: 'second' })).status).toBe(201);
    const code = new URL(approved.body.redirectUrl).searchParams.get('code')!;
    const res = await h.t.request.post('/api/auth/keys').send({ code, code_verifier: p.verifier });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('too_many_keys');
    expect((await h.t.request.post('/api/auth/authorize').set(auth).send(body(pkcePair().challenge))).status).toBe(409);
  });
});
