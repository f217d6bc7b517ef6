/**
 * A ModelCall through the real chat route on an in-process gateway core (real SQLite store, ledger,
 * recorder, fake upstream): its row, its exact charge and the balance after it, whole, streamed,
 * cut off by the client, refused before any attempt, and failed over.
 */
import { describe, expect, it } from 'vitest';
import { chat, modelCallCores, settledRow, USER } from '../../tests/helpers/model-call-fixture.js';

const core = modelCallCores();

describe('ModelCall charges', () => {
  it('charges a whole answer exactly for the usage the upstream reported, and records who answered', async () => {
    const c = await core();
    const providerId = await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const res = await c.post(chat('hello brave new world'));
    expect(res.status).toBe(200);
    const id = res.headers.get('x-aigne-hub-model-call-id')!;
    expect((await res.json()).choices[0].message.content).toBe('Echo: hello brave new world');
    // 4 words in, 5 words out: 4 × 1000 + 5 × 2000 nano-credits.
    const row = await c.row(id);
    expect(row).toMatchObject({ status: 'success', model: 'gpt-4o-mini', providerId, inputTokens: 4, outputTokens: 5, creditsNano: 14_000, usageEstimated: 0, attempts: 1, errorCode: null, errorReason: null, userDid: USER, accessKeyId: 'key-1' });
    expect(await c.charges()).toEqual([[id, -14_000]]);
    expect(await c.balance()).toBe(100_000_000 - 14_000);
  });

  it('records a stream as in progress while it runs, then charges the usage it reported, with its time to first byte', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.upstream.setDefaults({ chunks: 6, chunkDelayMs: 40 });
    const res = await c.post(chat('one two three', { stream: true, stream_options: { include_usage: true } }), { 'x-request-id': 'req-stream-1' });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-aigne-hub-model-call-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    expect(await c.row(id)).toMatchObject({ status: 'processing', stream: 1, requestId: 'req-stream-1', creditsNano: 0 });
    while (!(await reader.read()).done);
    const row = await c.row(id);
    // 3 words in, 6 word chunks out.
    expect(row).toMatchObject({ status: 'success', stream: 1, inputTokens: 3, outputTokens: 6, usageEstimated: 0, creditsNano: 3_000 + 12_000 });
    expect(row.ttfb).not.toBeNull();
    expect(row.ttfb).toBeLessThanOrEqual(row.duration);
    expect(await c.charges()).toEqual([[id, -15_000]]);
    expect(await c.balance()).toBe(100_000_000 - 15_000);
  });

  it('charges a stream the client cut off for what it produced, estimated, and aborts the upstream request', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.upstream.setDefaults({ chunks: 400, chunkDelayMs: 15 });
    const client = new AbortController();
    const res = await c.post(chat('count these five words please', { stream: true }), {}, client.signal);
    const id = res.headers.get('x-aigne-hub-model-call-id')!;
    const reader = res.body!.getReader();
    // A few events reach the client before it goes away.
    let text = '';
    while (!text.includes('data:', text.indexOf('data:') + 1)) text += new TextDecoder().decode((await reader.read()).value);
    client.abort();
    await c.upstream.waitFor((r) => r.aborted);
    const row = await settledRow(c, id);
    expect(row).toMatchObject({ status: 'aborted', errorCode: 'client_closed_request', errorReason: 'The client closed the connection', usageEstimated: 1 });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeLessThan(400);
    expect(row.creditsNano).toBe(row.inputTokens * 1000 + row.outputTokens * 2000);
    expect(await c.charges()).toEqual([[id, -row.creditsNano]]);
    expect(await c.balance()).toBe(100_000_000 - row.creditsNano);
  });

  it('fails over to the next credential and charges the answer once', async () => {
    const c = await core();
    await c.addProvider({ keys: ['sk-first', 'sk-second'] });
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.upstream.enqueue({ status: 500, times: 1 });
    const res = await c.post(chat('a b'));
    expect(res.status).toBe(200);
    const id = res.headers.get('x-aigne-hub-model-call-id')!;
    const row = await c.row(id);
    expect(row).toMatchObject({ status: 'success', attempts: 2, credentialId: expect.any(String), creditsNano: 2_000 + 3 * 2_000 });
    expect(c.upstream.requests.map((r) => r.apiKey).sort()).toEqual(['sk-first', 'sk-second']);
    expect(await c.charges()).toEqual([[id, -8_000]]);
    expect(await c.balance()).toBe(100_000_000 - 8_000);
  });

  it('records every failed attempt of a call that got no answer, and charges nothing', async () => {
    const c = await core();
    await c.addProvider({ keys: ['sk-first', 'sk-second'] });
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.upstream.enqueue({ status: 500, times: 2 });
    const failed = await c.post(chat('a b'));
    expect(failed.status).toBe(502);
    const row = await c.row(failed.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'failed', attempts: 2, creditsNano: 0, errorCode: 'upstream_500', inputTokens: 0, outputTokens: 0 });
    expect(row.errorReason).toBe((await failed.json()).error.message);
    expect(row.errorReason).toMatch(/^Upstream error: all 2 attempts failed; last: OPENAI answered 500/);
    expect(await c.charges()).toEqual([]);
    expect(await c.balance()).toBe(100_000_000);
  });

  it('records a model no provider serves, and a caller without the credits, as failed calls charged nothing', async () => {
    const c = await core();
    await c.addProvider();
    const unknown = await c.post(chat('hi', { model: 'no-such-model' }));
    expect(unknown.status).toBe(404);
    expect(await c.row(unknown.headers.get('x-aigne-hub-model-call-id')!)).toMatchObject({ status: 'failed', model: 'no-such-model', errorCode: 'model_not_found', errorReason: "The model 'no-such-model' is not served by any enabled provider", attempts: 0, providerId: null, creditsNano: 0 });
    const poor = await c.post(chat('hi'));
    expect(poor.status).toBe(402);
    const row = await c.row(poor.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'failed', errorCode: 'insufficient_credits', attempts: 0, creditsNano: 0 });
    expect(row.errorReason).toBe((await poor.json()).error.message);
    expect(c.upstream.requests).toHaveLength(0);
    expect(await c.charges()).toEqual([]);
  });
});
