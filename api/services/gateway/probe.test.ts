/**
 * A health check's probe on an in-process gateway core against the fake upstream: one minimal call
 * of each type through the attempt path, billed to no one and recorded nowhere, and its failure
 * answered redacted and bounded with the credential it tried.
 */
import { describe, expect, it } from 'vitest';
import { modelCallCores, startModelCallCore, USER } from '../../tests/helpers/model-call-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';

const core = modelCallCores();
const openStore = tempStores();

describe('probe', () => {
  it('makes one minimal chat call and leaves no ModelCall row, charge or usage', async () => {
    const c = await core();
    await c.addProvider({ keys: ['sk-probe-a'] });
    await c.ledger.grant({ userDid: USER, amountNano: 1_000_000 });
    const before = performance.now();
    const result = await c.gateway.probe({ provider: 'openai', model: 'gpt-4o-mini', type: 'chatCompletion' });
    // Its latency is measured on the same clock as the test's, within the call.
    expect(result.latencyMs).toBeLessThanOrEqual(Math.ceil(performance.now() - before));
    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number), error: null, credentialId: expect.stringMatching(/^c-\d+$/) });
    expect(Number.isInteger(result.latencyMs) && result.latencyMs >= 0).toBe(true);
    const [sent] = c.upstream.requests;
    expect(sent).toMatchObject({ path: '/v1/chat/completions', model: 'gpt-4o-mini', apiKey: 'sk-probe-a' });
    expect(sent!.body).toMatchObject({ messages: [{ role: 'user', content: 'ping' }] });
    const body = sent!.body as { max_tokens?: number; max_completion_tokens?: number };
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(1);
    expect(await c.rows()).toEqual([]);
    expect(await c.charges()).toEqual([]);
    expect(await c.balance()).toBe(1_000_000);
    expect(c.settled).toEqual([]);
  });

  it('probes embeddings and images with their own minimal requests, and refuses a type the provider does not offer', async () => {
    const store = await openStore();
    const c = await startModelCallCore(store);
    try {
      const openai = await c.addProvider({ keys: ['sk-probe-a'], rates: {} });
      const anthropic = await c.addProvider({ name: 'anthropic', rates: {} });
      for (const [providerId, model, type] of [[openai, 'text-embedding-3-small', 'embedding'], [openai, 'gpt-image-1', 'imageGeneration'], [anthropic, 'claude-embed', 'embedding'], [anthropic, 'claude-draw', 'imageGeneration']] as const) {
        await store.models.AiModelRate.create({ id: `r-${model}`, providerId, model, type, inputRate: '0.000001', outputRate: '0', cacheReadRate: null, cacheWriteRate: null, unitCosts: null, modelMetadata: null } as never);
      }
      c.routing.invalidate();

      expect(await c.gateway.probe({ provider: 'openai', model: 'text-embedding-3-small', type: 'embedding' })).toMatchObject({ ok: true, error: null });
      expect(c.upstream.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', model: 'text-embedding-3-small', body: { input: ['ping'] } });
      expect(await c.gateway.probe({ provider: 'openai', model: 'gpt-image-1', type: 'imageGeneration' })).toMatchObject({ ok: true, error: null });
      expect(c.upstream.requests.at(-1)).toMatchObject({ path: '/v1/images/generations', model: 'gpt-image-1', body: { prompt: 'a small dot', n: 1 } });
      expect(c.upstream.requests).toHaveLength(2);

      // Routing serves a type only from providers whose adapter offers it: refused before any attempt.
      expect(await c.gateway.probe({ provider: 'anthropic', model: 'claude-embed', type: 'embedding' })).toMatchObject({ ok: false, error: expect.stringContaining('is not served'), credentialId: null });
      expect(await c.gateway.probe({ provider: 'anthropic', model: 'claude-draw', type: 'imageGeneration' })).toMatchObject({ ok: false, error: expect.stringContaining('is not served'), credentialId: null });
      expect(c.upstream.requests).toHaveLength(2);
      expect(await c.rows()).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it("answers a failure with the credential it tried, the provider's message redacted and bounded", async () => {
    const c = await core();
    await c.addProvider({ keys: ['sk-probe-secret-0123456789abcdef'] });
    c.upstream.enqueue({ status: 400, body: { error: { message: 'bad key sk-probe-secret-0123456789abcdef', type: 'invalid_request_error' } } });
    const result = await c.gateway.probe({ provider: 'openai', model: 'gpt-4o-mini', type: 'chatCompletion' });
    expect(result).toMatchObject({ ok: false, credentialId: expect.stringMatching(/^c-\d+$/) });
    expect(Number.isInteger(result.latencyMs)).toBe(true);
    expect(result.error).toContain('rejected the request');
    expect(result.error).not.toContain('sk-probe-secret');
    expect(await c.rows()).toEqual([]);
    // A message of any length is cut to 1000 characters (here the routing's, naming a long model).
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeLessThan(performance.now());
    const long = await c.gateway.probe({ provider: 'openai', model: 'm'.repeat(3000), type: 'chatCompletion' });
    expect(long).toMatchObject({ ok: false, credentialId: null });
    expect(long.error).toHaveLength(1000);
  });

  it('reads the whole chat answer, so an answer that fails halfway fails the probe', async () => {
    const c = await core();
    await c.addProvider({ keys: ['sk-a'] });
    c.upstream.enqueue({ status: 500, afterChunks: 1 });
    expect(await c.gateway.probe({ provider: 'openai', model: 'gpt-4o-mini', type: 'chatCompletion' })).toMatchObject({ ok: false });
  });

  it("gives an embedding attempt the deadline's signal: an upstream that does not answer fails the probe at the deadline", async () => {
    const store = await openStore();
    const c = await startModelCallCore(store, { gateway: { upstreamTimeoutMs: 300 } });
    try {
      const openai = await c.addProvider({ rates: {} });
      await store.models.AiModelRate.create({ id: 'r-embed', providerId: openai, model: 'text-embedding-3-small', type: 'embedding', inputRate: '0.000001', outputRate: '0', cacheReadRate: null, cacheWriteRate: null, unitCosts: null, modelMetadata: null } as never);
      c.routing.invalidate();
      c.upstream.enqueue({ delayMs: 10_000 });
      const result = await c.gateway.probe({ provider: 'openai', model: 'text-embedding-3-small', type: 'embedding' });
      expect(result.ok).toBe(false);
      expect(c.upstream.requests[0]).toMatchObject({ path: '/v1/embeddings' });
      // The upstream sees the request abandoned (not answered 10 s later).
      const end = performance.now() + 5000;
      while (!c.upstream.requests[0]!.aborted && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(c.upstream.requests[0]!.aborted).toBe(true);
    } finally {
      await c.close();
    }
  });
});
