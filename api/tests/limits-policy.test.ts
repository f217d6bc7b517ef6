/**
 * API.md §14 policy: model patterns (and the model lists they filter), budgets per UTC period, the
 * limits of a key's app and user beside the key's own (the tightest wins), `DEFAULT_KEY_LIMITS`,
 * and members' keys never wider than their user's limits. The hub's clock is injected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRows, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

type Auth = Record<string, string>;

describe('limits of keys, apps and users', () => {
  let h: GatewayHarness;
  let admin: Auth;
  let clock = new Date('2026-12-07T23:00:00.000Z');
  const key = async (body: Record<string, unknown>) => {
    const res = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'policy', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, userDid: res.body.userDid as string, auth: bearer(res.body.key) };
  };
  const chat = (auth: Auth, model = 'openai/gpt-4o-mini') =>
    h.t.request.post('/api/v1/chat/completions').set(auth).send({ model, max_tokens: 10, messages: [{ role: 'user', content: 'one two three' }] });

  beforeAll(async () => {
    h = await startGatewayHarness({}, { now: () => clock });
    admin = bearer(h.t.adminKey);
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-limits-000000000003'],
      rates: ['gpt-4o-mini', 'gpt-4o', 'gpt-3.5-turbo'].map((model) => ({ model, inputRate: '0.01', outputRate: '0.01' })),
    });
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-limits-0000000004'], rates: [{ model: 'claude-3-haiku', inputRate: '0.01', outputRate: '0.01' }] });
  });
  afterAll(() => h.close());

  it('lets a key use only the models its patterns name (exact, bare, glob), and lists only those', async () => {
    const k = await key({ limits: { models: ['openai/gpt-4o-mini', 'gpt-4o', 'anthropic/*'] } });
    for (const model of ['openai/gpt-4o-mini', 'gpt-4o-mini', 'openai/gpt-4o', 'gpt-4o', 'anthropic/claude-3-haiku', 'claude-3-haiku']) {
      expect((await chat(k.auth, model)).status, model).toBe(200);
    }
    const rowsBefore = (await modelCallRows(h.t)).length;
    for (const model of ['openai/gpt-3.5-turbo', 'gpt-3.5-turbo']) {
      const res = await chat(k.auth, model);
      expect(res.status, model).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_denied', code: 'model_not_allowed' });
    }
    expect((await modelCallRows(h.t)).length).toBe(rowsBefore);

    const v1 = await h.t.request.get('/api/v1/models').set(k.auth);
    expect(v1.body.data.map((m: { id: string }) => m.id).sort()).toEqual(['anthropic/claude-3-haiku', 'openai/gpt-4o', 'openai/gpt-4o-mini']);
    const aigne = await h.t.request.get('/api/ai/models?type=chat').set(k.auth);
    expect(aigne.body.map((m: { provider: string; model: string }) => `${m.provider}/${m.model}`).sort()).toEqual(['anthropic/claude-3-haiku', 'openai/gpt-4o', 'openai/gpt-4o-mini']);
    // Anyone else sees every model.
    expect((await h.t.request.get('/api/ai/models?type=chat')).body).toHaveLength(4);
    expect((await h.t.request.get('/api/v1/models').set(admin)).body.data).toHaveLength(4);
  });

  it('refuses the call that would pass a budget of 1 credit a day (402), and lets it through the next day', async () => {
    const k = await key({ limits: { budget: { credits: '1', period: 'day' } } });
    let answered = 0;
    let refused: Awaited<ReturnType<typeof chat>> | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await chat(k.auth);
      if (res.status === 200) answered += 1;
      else refused = res;
    }
    // Each call costs 0.07 (3 tokens in, 4 out at 0.01) and may cost up to (estimate + 10) × 0.01.
    expect(refused?.status).toBe(402);
    expect(refused!.body.error).toMatchObject({ type: 'insufficient_credits', code: 'budget_exceeded' });
    const spent = (await modelCallRows(h.t)).filter((r) => r.accessKeyId === k.id).reduce((sum, r) => sum + Number(r.creditsNano), 0);
    expect(spent).toBe(answered * 70_000_000);
    expect(spent).toBeLessThanOrEqual(1e9);
    expect(answered).toBeGreaterThanOrEqual(11);
    const report = (await h.t.request.get('/api/user/limits').set(k.auth)).body.subjects[0];
    expect(report.remaining.budgetCredits).toBe(String((1e9 - spent) / 1e9));
    expect(report.resetsAt.budget).toBe('2026-12-08T00:00:00.000Z');

    clock = new Date('2026-12-08T00:00:01.000Z');
    expect((await chat(k.auth)).status).toBe(200);
  });

  it('counts the calls in progress against a budget: calls made at once cannot pass it together', async () => {
    const k = await key({ limits: { budget: { credits: '0.5', period: 'day' } } });
    // Streams of 2,000 words 20 ms apart stay open far longer than this test: none settles meanwhile.
    h.upstream.setDefaults({ chunks: 2000, chunkDelayMs: 20 });
    const clients = Array.from({ length: 12 }, () => new AbortController());
    try {
      const answers = await Promise.all(
        clients.map((c) =>
          fetch(`${h.url}/api/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...k.auth },
            body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'one two three' }] }),
            signal: c.signal,
          }),
        ),
      );
      const admitted = answers.filter((r) => r.status === 200).length;
      const refused = answers.filter((r) => r.status === 402);
      // Each may cost up to (estimate + 10 tokens) × 0.01: a few fit in 0.5, not twelve.
      expect(admitted).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBe(12 - admitted);
      expect(((await refused[0]!.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'budget_exceeded', message: expect.stringMatching(/with the calls in progress/) });
    } finally {
      for (const c of clients) c.abort();
      h.upstream.setDefaults({ chunks: undefined, chunkDelayMs: undefined });
    }
    // Aborted streams are charged what they produced: within the budget, and what they hold is given back.
    await waitFor(async () => (await modelCallRows(h.t)).filter((r) => r.accessKeyId === k.id && r.status !== 'processing').length === (await modelCallRows(h.t)).filter((r) => r.accessKeyId === k.id).length);
    const spent = (await modelCallRows(h.t)).filter((r) => r.accessKeyId === k.id).reduce((sum, r) => sum + Number(r.creditsNano), 0);
    expect(spent).toBeLessThanOrEqual(0.5e9);
    // With the budget doubled, a call fits only if the ended calls gave back what they held.
    expect((await h.t.request.put(`/api/access-keys/${k.id}`).set(admin).send({ limits: { budget: { credits: '1', period: 'day' } } })).status).toBe(200);
    expect((await chat(k.auth)).status).toBe(200);
  });

  it('applies the limits of the key’s app and user as well as its own: the tightest wins, at once when changed', async () => {
    const app = await h.t.request.post('/api/apps').set(admin).send({ name: 'Limited app' });
    const viaApp = await key({ appId: app.body.id, limits: { rpm: 10 } });
    expect((await h.t.request.put(`/api/apps/${app.body.id}`).set(admin).send({ limits: { rpm: 2 } })).body.limits).toMatchObject({ rpm: 2 });
    expect((await chat(viaApp.auth)).status).toBe(200);
    expect((await chat(viaApp.auth)).status).toBe(200);
    const refused = await chat(viaApp.auth);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/app/);
    expect(refused.headers['x-ratelimit-limit-requests']).toBe('2');
    // Another key of the same app shares the app's minute.
    expect((await chat((await key({ appId: app.body.id })).auth)).status).toBe(429);
    expect((await h.t.request.put(`/api/apps/${app.body.id}`).set(admin).send({ limits: null })).status).toBe(200);
    expect((await chat(viaApp.auth)).status).toBe(200);

    const first = await key({ limits: { rpm: 5 } });
    const second = await key({ userDid: first.userDid });
    const set = await h.t.request.put(`/api/users/${encodeURIComponent(first.userDid)}/limits`).set(admin).send({ limits: { rpm: 1, models: ['openai/*'] } });
    expect(set.status).toBe(200);
    expect((await h.t.request.get('/api/users').set(admin)).body.find((u: { did: string }) => u.did === first.userDid).limits).toMatchObject({ rpm: 1 });
    expect((await chat(first.auth)).status).toBe(200);
    const byUser = await chat(second.auth);
    expect(byUser.status).toBe(429);
    expect(byUser.body.error.message).toMatch(/user/);
    expect((await chat(second.auth, 'anthropic/claude-3-haiku')).status).toBe(403);
    expect((await h.t.request.put('/api/users/nobody/limits').set(admin).send({ limits: { rpm: 1 } })).status).toBe(404);
    // Members do not set limits.
    expect((await h.t.request.put(`/api/users/${encodeURIComponent(first.userDid)}/limits`).set(first.auth).send({ limits: null })).status).toBe(403);
  });

  it('keeps a member’s own keys within their user’s limits and the calling key’s', async () => {
    const m = await key({ limits: { rpm: 30, tpm: 5000 } });
    await h.t.request.put(`/api/users/${encodeURIComponent(m.userDid)}/limits`).set(admin).send({ limits: { rpm: 20, models: ['openai/*'] } });
    const create = (limits: unknown) => h.t.request.post('/api/user/access-keys').set(m.auth).send({ name: 'mine', limits });
    for (const [limits, param] of [
      [{ rpm: 25 }, 'limits.rpm'],
      [{ models: ['anthropic/*'] }, 'limits.models'],
      [{ tpm: 6000 }, 'limits.tpm'],
    ] as const) {
      const res = await create(limits);
      expect(res.status, JSON.stringify(limits)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'limits_too_wide', param });
    }
    // A key made with fewer limits keeps the calling key's where it sets none.
    const made = await create({ rpm: 10 });
    expect(made.status).toBe(201);
    expect(made.body.limits).toEqual({ rpm: 10, tpm: 5000, maxConcurrent: null, models: null, budget: null });
    expect((await create(null)).body.limits).toEqual({ rpm: 30, tpm: 5000, maxConcurrent: null, models: null, budget: null });
    // The user's limits apply to the new key as to every key of theirs.
    expect((await chat(bearer(made.body.key), 'anthropic/claude-3-haiku')).status).toBe(403);
  });
});

describe('DEFAULT_KEY_LIMITS', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    const clock = new Date('2026-12-07T10:00:00.000Z');
    h = await startGatewayHarness({ DEFAULT_KEY_LIMITS: '{"rpm": 2}' }, { now: () => clock });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-limits-000000000005'] });
  });
  afterAll(() => h.close());

  it('limits member keys that set none, and neither admin keys nor keys with limits of their own', async () => {
    const admin = bearer(h.t.adminKey);
    const made = async (body: Record<string, unknown>) => bearer((await h.t.request.post('/api/access-keys').set(admin).send({ name: 'k', ...body })).body.key);
    const chat = (auth: Auth) => h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const member = await made({});
    expect((await chat(member)).headers['x-ratelimit-limit-requests']).toBe('2');
    expect((await chat(member)).status).toBe(200);
    expect((await chat(member)).status).toBe(429);
    const limits = await h.t.request.get('/api/user/limits').set(member);
    expect(limits.body.subjects).toEqual([expect.objectContaining({ kind: 'key', limits: expect.objectContaining({ rpm: 2 }), remaining: expect.objectContaining({ requests: 0 }) })]);
    // A member's own key made with no limits is a member key like any other.
    const own = await h.t.request.post('/api/user/access-keys').set(await made({})).send({ name: 'own' });
    const ownAuth = bearer(own.body.key);
    for (let i = 0; i < 2; i++) expect((await chat(ownAuth)).status).toBe(200);
    expect((await chat(ownAuth)).status).toBe(429);

    const own5 = await made({ limits: { rpm: 5 } });
    for (let i = 0; i < 5; i++) expect((await chat(own5)).status).toBe(200);
    const adminKey = await made({ role: 'admin' });
    for (let i = 0; i < 5; i++) expect((await chat(adminKey)).status).toBe(200);
  });
});
