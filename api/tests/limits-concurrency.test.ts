/**
 * API.md §14 `maxConcurrent`: calls open now, streams included, counted from admission to
 * settlement; released when a call ends, fails or its client goes away. The fake upstream counts
 * the provider requests open at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

type Auth = Record<string, string>;

describe('calls open at once', () => {
  let h: GatewayHarness;
  let admin: Auth;
  const key = async (limits: unknown) => {
    const res = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'concurrent', limits });
    expect(res.status).toBe(201);
    return bearer(res.body.key);
  };
  const stream = (auth: Auth, signal?: AbortSignal) =>
    fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'slow' }] }),
      signal,
    });
  const openNow = async (auth: Auth) => (await h.t.request.get('/api/user/limits').set(auth)).body.subjects[0].remaining.concurrent as number;

  beforeAll(async () => {
    h = await startGatewayHarness();
    admin = bearer(h.t.adminKey);
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-limits-000000000002'] });
  });
  afterAll(() => h.close());

  it('keeps at most 3 slow streams open, refuses the rest, and frees a place when a client goes away', async () => {
    const auth = await key({ maxConcurrent: 3 });
    // Streams of 2,000 words 20 ms apart: open far longer than this test.
    h.upstream.reset();
    h.upstream.setDefaults({ chunks: 2000, chunkDelayMs: 20 });
    const clients = Array.from({ length: 3 }, () => new AbortController());
    try {
      const opened = await Promise.all(clients.map((c) => stream(auth, c.signal)));
      expect(opened.map((r) => r.status)).toEqual([200, 200, 200]);
      await waitFor(async () => h.upstream.open === 3);

      const refused = await Promise.all(Array.from({ length: 6 }, () => stream(auth)));
      for (const r of refused) {
        expect(r.status).toBe(429);
        expect(r.headers.get('retry-after')).toBe('1');
        expect(((await r.json()) as any).error).toMatchObject({ type: 'rate_limit_exceeded', code: 'concurrency_limit_exceeded' });
      }
      expect(h.upstream.maxOpen).toBe(3);
      expect(await openNow(auth)).toBe(0);

      // One client leaves: its call is aborted upstream and its place is free again.
      clients[0]!.abort();
      await waitFor(async () => (await openNow(auth)) === 1);
      await waitFor(async () => h.upstream.open === 2);
      clients[0] = new AbortController();
      const next = await stream(auth, clients[0].signal);
      expect(next.status).toBe(200);
      expect((await stream(auth)).status).toBe(429);
      expect(h.upstream.maxOpen).toBe(3);
    } finally {
      for (const c of clients) c.abort();
      h.upstream.reset();
    }
    await waitFor(async () => (await openNow(auth)) === 3);
  });

  it('frees the place when a call settles, whether it succeeded or failed', async () => {
    const auth = await key({ maxConcurrent: 1 });
    for (let i = 0; i < 3; i++) {
      const res = await stream(auth);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('[DONE]');
    }
    h.upstream.enqueue({ status: 500, times: 1 });
    const failed = await h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(failed.status).toBe(502);
    const after = await h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(after.status).toBe(200);
    expect(await openNow(auth)).toBe(1);
  });
});
