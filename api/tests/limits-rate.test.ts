/**
 * API.md §14 rates: requests and tokens per minute of a key, on a real hub (SQLite) in front of the
 * fake OpenAI upstream. The hub's clock is injected: a window passes by moving it, not by waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

type Auth = Record<string, string>;

describe('requests and tokens per minute', () => {
  let h: GatewayHarness;
  let admin: Auth;
  // In the middle of a minute, so that the seconds to the window's end are known.
  let clock = new Date('2026-12-07T10:00:20.000Z');
  const key = async (limits: unknown) => {
    const res = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'limited', limits });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, auth: bearer(res.body.key) };
  };
  const chat = (auth: Auth, content = 'one two three', extra: Record<string, unknown> = {}) =>
    h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });
  const refusals = async (kind: string) => {
    const text = (await h.t.request.get('/metrics').set(admin)).text;
    return Number(new RegExp(`^aigne_hub_limit_refusals_total\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    h = await startGatewayHarness({}, { now: () => clock });
    admin = bearer(h.t.adminKey);
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-limits-000000000001'], rates: [{ model: 'gpt-4o-mini' }] });
  });
  afterAll(() => h.close());

  it('answers 5 calls on rpm 5, refuses the 6th with Retry-After and the x-ratelimit headers, and answers again in the next window', async () => {
    const k = await key({ rpm: 5 });
    const rowsBefore = (await modelCallRows(h.t)).length;
    const refusedBefore = await refusals('rpm');
    for (let i = 1; i <= 5; i++) {
      const res = await chat(k.auth);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit-requests']).toBe('5');
      expect(res.headers['x-ratelimit-remaining-requests']).toBe(String(5 - i));
      expect(res.headers['x-ratelimit-reset-requests']).toBe('40s');
    }
    const refused = await chat(k.auth);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_exceeded', code: 'rpm_limit_exceeded' });
    expect(Number(refused.headers['retry-after'])).toBe(40);
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(refused.headers['x-ratelimit-limit-requests']).toBe('5');
    expect(refused.headers['x-aigne-hub-model-call-id']).toBeUndefined();
    // Five calls, five rows: the refused one was never accepted.
    expect((await modelCallRows(h.t)).length).toBe(rowsBefore + 5);
    expect(await refusals('rpm')).toBe(refusedBefore + 1);
    // What the admin's pages show beside the limit, and the key's own view.
    const usage = await h.t.request.get('/api/limits/usage').set(admin);
    expect(usage.body.keys[k.id]).toEqual({ requests: 5, tokens: null, concurrent: null, budgetCredits: null });
    expect((await h.t.request.get('/api/limits/usage').set(k.auth)).status).toBe(403);
    const own = await h.t.request.get('/api/user/limits').set(k.auth);
    expect(own.body.subjects).toEqual([
      { kind: 'key', default: false, limits: { rpm: 5, tpm: null, maxConcurrent: null, models: null, budget: null }, used: usage.body.keys[k.id], remaining: { requests: 0, tokens: null, concurrent: null, budgetCredits: null }, resetsAt: { requests: '2026-12-07T10:01:00.000Z', tokens: null, budget: null } },
    ]);

    clock = new Date(clock.getTime() + 60_000);
    const again = await chat(k.auth);
    expect(again.status).toBe(200);
    expect(again.headers['x-ratelimit-remaining-requests']).toBe('4');
  });

  it('answers exactly 10 of 50 concurrent calls on rpm 10', async () => {
    const k = await key({ rpm: 10 });
    const statuses = await Promise.all(Array.from({ length: 50 }, () => chat(k.auth).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
  });

  it('reserves a large prompt’s estimate against tpm and settles to the provider’s count', async () => {
    const k = await key({ tpm: 3000 });
    const big = Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ');
    const first = await chat(k.auth, big, { max_tokens: 10 });
    expect(first.status).toBe(200);
    expect(first.body.usage.prompt_tokens).toBe(1500);
    // Settled to the provider's count: 1500 in, 1501 out (the echo) = 3001 tokens taken, over 3000.
    const limits = await h.t.request.get('/api/user/limits').set(k.auth);
    expect(limits.body.subjects[0]).toMatchObject({ kind: 'key', remaining: { tokens: 0 } });
    const refused = await chat(k.auth, 'small');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('tpm_limit_exceeded');
    expect(refused.headers['x-ratelimit-limit-tokens']).toBe('3000');
    expect(refused.headers['x-ratelimit-remaining-tokens']).toBe('0');

    // A prompt alone above the limit is refused before it reaches the provider.
    clock = new Date(clock.getTime() + 60_000);
    const upstreamBefore = h.upstream.requests.length;
    const huge = await chat(k.auth, `${big} ${big} ${big}`);
    expect(huge.status).toBe(429);
    expect(huge.body.error.message).toMatch(/more than the 3000 tokens a minute/);
    expect(h.upstream.requests.length).toBe(upstreamBefore);
    // The refused reservation was given back: the window is whole.
    expect(Number((await chat(k.auth, 'small', { max_tokens: 5 })).headers['x-ratelimit-remaining-tokens'])).toBeGreaterThan(2980);
  });

  it('applies a change of limits at once, and a removal', async () => {
    const k = await key({ rpm: 1 });
    expect((await chat(k.auth)).status).toBe(200);
    expect((await chat(k.auth)).status).toBe(429);
    const raised = await h.t.request.put(`/api/access-keys/${k.id}`).set(admin).send({ limits: { rpm: 3 } });
    expect(raised.status).toBe(200);
    expect(raised.body.limits).toMatchObject({ rpm: 3 });
    expect((await chat(k.auth)).status).toBe(200);
    expect((await h.t.request.put(`/api/access-keys/${k.id}`).set(admin).send({ limits: { rpm: 1 } })).status).toBe(200);
    expect((await chat(k.auth)).status).toBe(429);
    const removed = await h.t.request.put(`/api/access-keys/${k.id}`).set(admin).send({ limits: null });
    expect(removed.body.limits).toBeNull();
    const free = await chat(k.auth);
    expect(free.status).toBe(200);
    expect(free.headers['x-ratelimit-limit-requests']).toBeUndefined();
  });

  it('limits every model route alike: Messages, Responses, embeddings and the AIGNE routes', async () => {
    const k = await key({ rpm: 1 });
    const calls = [
      () => h.t.request.post('/api/v1/messages').set(k.auth).send({ model: 'openai/gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
      () => h.t.request.post('/api/v1/responses').set(k.auth).send({ model: 'openai/gpt-4o-mini', input: 'hi' }),
      () => h.t.request.post('/api/v1/embeddings').set(k.auth).send({ model: 'openai/gpt-4o-mini', input: 'hi' }),
      () => h.t.request.post('/api/v2/chat/completions').set(k.auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      () => h.t.request.post('/api/v1/audio/speech').set(k.auth).send({ model: 'openai/gpt-4o-mini', input: 'hi', voice: 'alloy' }),
      () => h.t.request.post('/api/v1/messages/count_tokens').set(k.auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ];
    expect((await chat(k.auth)).status).toBe(200);
    for (const [i, call] of calls.entries()) {
      const res = await call();
      expect(res.status, `call ${i}`).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.headers['x-ratelimit-remaining-requests']).toBe('0');
    }
  });

  it('counts a token count as a request of its key (it asks the provider with the hub’s credentials)', async () => {
    const k = await key({ rpm: 2 });
    const count = () => h.t.request.post('/api/v1/messages/count_tokens').set(k.auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }] });
    const first = await count();
    expect(first.status).toBe(200);
    expect(first.body.input_tokens).toBeGreaterThan(0);
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    expect((await chat(k.auth)).status).toBe(200);
    const refused = await count();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error' });
    const narrow = await key({ models: ['openai/gpt-4o'] });
    expect((await h.t.request.post('/api/v1/messages/count_tokens').set(narrow.auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).status).toBe(403);
  });

  it('validates limits and answers 404 for an unknown key', async () => {
    for (const limits of [{ rpm: 0 }, { rpm: 1.5 }, { models: [] }, { budget: { credits: '-1', period: 'day' } }, { budget: { credits: '1', period: 'hour' } }, { burst: 3 }]) {
      const res = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'bad', limits });
      expect(res.status, JSON.stringify(limits)).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
    expect((await h.t.request.put('/api/access-keys/nope').set(admin).send({ limits: { rpm: 1 } })).status).toBe(404);
  });
});
