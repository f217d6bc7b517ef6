/** Failover, cooldowns, timeouts, client aborts and bad input on /api/v1. */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, modelCallRows, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';
import { DS_KEY, KEY_A, KEY_B, startResilienceHub, withServer, type ResilienceHub } from './helpers/resilience.js';

describe('gateway resilience', () => {
  let h: GatewayHarness;
  let openai: ResilienceHub['openai'];
  let chat: ResilienceHub['chat'];
  let hub: ResilienceHub;
  beforeAll(async () => {
    hub = await startResilienceHub();
    ({ h, openai, chat } = hub);
  });
  afterAll(() => hub.close());
  afterEach(() => hub.reset());

  it('spreads calls over both credentials by weight', async () => {
    for (let i = 0; i < 6; i++) expect((await chat({ model: 'openai/gpt-4o-mini' })).status).toBe(200);
    const keys = h.upstream.requests.map((r) => r.apiKey);
    expect(keys.filter((k) => k === KEY_A)).toHaveLength(3);
    expect(keys.filter((k) => k === KEY_B)).toHaveLength(3);
  });

  it('fails over to the next credential on a 500, in one ModelCall row', async () => {
    const before = (await modelCallRows(h.t)).length;
    h.upstream.enqueue({ status: 500, match: { apiKey: KEY_A }, times: 5 });
    for (let i = 0; i < 2; i++) {
      const res = await chat({ model: 'openai/gpt-4o-mini' });
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe('Echo: hi there');
    }
    const rows = await modelCallRows(h.t);
    expect(rows.length).toBe(before + 2);
    const keysTried = h.upstream.requests.map((r) => r.apiKey);
    expect(keysTried.filter((k) => k === KEY_B).length).toBe(2);
    expect(rows.slice(before).every((r) => r.status === 'success')).toBe(true);
    expect(rows.slice(before).some((r) => r.attempts === 2)).toBe(true);
  });

  it('fails over to the next provider by rank when every credential fails', async () => {
    h.upstream.enqueue({ status: 503, match: { apiKey: KEY_A } }, { status: 503, match: { apiKey: KEY_B } });
    const res = await chat({ model: 'shared-model' });
    expect(res.status).toBe(200);
    const row = await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id']);
    expect(row).toMatchObject({ status: 'success', attempts: 3 });
    expect(h.upstream.requests.at(-1)!.apiKey).toBe(DS_KEY);
  });

  it('disables a credential the upstream refuses (401) and keeps serving with the other', async () => {
    h.upstream.enqueue({ status: 401, match: { apiKey: KEY_A }, times: 10 });
    for (let i = 0; i < 3; i++) expect((await chat({ model: 'openai/gpt-4o-mini' })).status).toBe(200);
    const provider = (await h.t.request.get(`/api/ai-providers/${openai.id}`).set(bearer(h.t.adminKey))).body;
    const a = provider.credentials.find((c: { id: string }) => c.id === openai.credentialIds[0]);
    expect(a).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining('401') });
    expect(h.upstream.requests.filter((r) => r.apiKey === KEY_A)).toHaveLength(1);
    expect(JSON.stringify(provider)).not.toContain(KEY_A);
  });

  it('cools a credential down on 429, honouring Retry-After, then 503 with Retry-After when all are cooling', async () => {
    h.upstream.enqueue({ status: 429, headers: { 'retry-after': '30' }, match: { apiKey: KEY_A } }, { status: 429, headers: { 'retry-after': '20' }, match: { apiKey: KEY_B } });
    const exhausted = await chat({ model: 'openai/gpt-4o-mini' });
    expect(exhausted.status).toBe(502);
    expect(exhausted.body.error.type).toBe('upstream_error');
    expect(exhausted.body.error.message).toMatch(/429/);
    const cooling = await chat({ model: 'openai/gpt-4o-mini' });
    expect(cooling.status).toBe(503);
    expect(cooling.body.error.type).toBe('no_available_provider');
    expect(Number(cooling.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(cooling.headers['retry-after'])).toBeLessThanOrEqual(30);
    const view = (await h.t.request.get(`/api/ai-providers/${openai.id}`).set(bearer(h.t.adminKey))).body;
    expect(view.credentials.map((c: { status: string }) => c.status)).toEqual(['cooldown', 'cooldown']);
  });

  it('honours retry-after-ms on the pass-through as on every provider', async () => {
    h.upstream.enqueue(
      { status: 429, headers: { 'retry-after-ms': '45000' }, match: { apiKey: KEY_A } },
      { status: 429, headers: { 'retry-after-ms': '45000' }, match: { apiKey: KEY_B } },
    );
    expect((await chat({ model: 'openai/gpt-4o-mini' })).status).toBe(502);
    const cooling = await chat({ model: 'openai/gpt-4o-mini' });
    expect(cooling.status).toBe(503);
    expect(Number(cooling.headers['retry-after'])).toBeGreaterThanOrEqual(44);
    expect(Number(cooling.headers['retry-after'])).toBeLessThanOrEqual(45);
  });

  it('caps the cooldown a Retry-After asks for at five minutes', async () => {
    h.upstream.enqueue({ status: 429, headers: { 'retry-after': '86400' }, match: { apiKey: KEY_A } }, { status: 429, headers: { 'retry-after': '86400' }, match: { apiKey: KEY_B } });
    expect((await chat({ model: 'openai/gpt-4o-mini' })).status).toBe(502);
    const cooling = await chat({ model: 'openai/gpt-4o-mini' });
    expect(cooling.status).toBe(503);
    expect(Number(cooling.headers['retry-after'])).toBeGreaterThanOrEqual(299);
    expect(Number(cooling.headers['retry-after'])).toBeLessThanOrEqual(300);
  });

  it('cools down a credential that keeps failing with 5xx', async () => {
    h.upstream.enqueue({ status: 502, body: '<html>bad gateway</html>', match: { apiKey: KEY_A }, times: 10 });
    for (let i = 0; i < 6; i++) expect((await chat({ model: 'openai/gpt-4o-mini' })).status).toBe(200);
    // After two consecutive failures the broken key stops costing every request a retry.
    expect(h.upstream.requests.filter((r) => r.apiKey === KEY_A).length).toBe(2);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    h.upstream.enqueue({ delayMs: 4000, times: 2 });
    const res = await chat({ model: 'openai/gpt-4o-mini' });
    expect(res.status).toBe(504);
    expect(res.body.error.type).toBe('upstream_timeout');
  });

  it('aborts the upstream request when the client goes away, and records the call as aborted', async () => {
    h.upstream.setDefaults({ chunkDelayMs: 200, chunks: 40 });
    const url = new URL(`${h.url}/api/v1/chat/completions`);
    const callId = await new Promise<string>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.t.adminKey}` } }, (res) => {
        res.once('data', () => {
          resolve(String(res.headers['x-aigne-hub-model-call-id']));
          req.destroy();
        });
      });
      req.on('error', () => {});
      req.end(JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long answer' }] }));
      setTimeout(() => reject(new Error('no data')), 5000);
    });
    const upstreamReq = await waitFor(async () => h.upstream.requests.find((r) => r.aborted));
    expect(upstreamReq.completed).toBe(false);
    const row = await waitFor(async () => {
      const r = await modelCallRow(h.t, callId);
      return r && r.status !== 'processing' ? r : undefined;
    });
    expect(row.status).toBe("aborted");
    expect(row.outputTokens).toBeGreaterThan(0);
  });

  it('records a call whose client left before the call began as aborted, and makes no attempt for it', async () => {
    // The hub's own gateway, begun from a server of the test's only once the client has gone: the
    // 'close' it would listen for has already been emitted.
    let attempted = false;
    let callId: Promise<string> | undefined;
    const beginsAfterClientLeft: http.RequestListener = (req, res) => {
      req.resume();
      res.once('close', () => {
        Object.assign(req, { ctx: { requestId: 'left-before-begin', startedAt: performance.now(), caller: null } });
        callId = (async () => {
          const call = await h.t.hub.gateway.begin(req as never, res as never, { model: 'openai/gpt-4o-mini', type: 'chatCompletion', stream: false });
          await call
            .run(async () => {
              attempted = true;
              throw new Error('attempted');
            })
            .catch((err: unknown) => call.fail(err));
          return call.record.id;
        })();
      });
    };
    await withServer(beginsAfterClientLeft, async (origin) => {
      const req = http.request(origin, { method: 'POST' });
      req.on('error', () => {});
      req.end('{}', () => setTimeout(() => req.destroy(), 20));
      const id = await waitFor(async () => callId);
      const row = await waitFor(async () => {
        const r = await modelCallRow(h.t, await id);
        return r && r.status !== 'processing' ? r : undefined;
      });
      expect(attempted).toBe(false);
      expect(row.status).toBe('aborted');
      expect(row.errorCode).toBe('client_closed_request');
      expect(row.attempts).toBe(0);
    });
  });

  it('answers bad input per API.md and leaves no ModelCall row for it', async () => {
    const before = (await modelCallRows(h.t)).length;
    const malformed = await h.t.request.post('/api/v1/chat/completions').set(bearer(h.t.adminKey)).set('Content-Type', 'application/json').send('{"model": "x", "messages": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.type).toBe('invalid_request_error');
    const empty = await chat({ model: 'openai/gpt-4o-mini', messages: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/messages/);
    const wrongType = await chat({ model: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.param).toBe('model');
    const badRole = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'wizard', content: 'x' }] });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.message).toBe("messages.0.role: Expected 'system' | 'developer' | 'user' | 'assistant' | 'tool'");
    expect(badRole.body.error.param).toBe('messages.0.role');
    const missingField = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'tool', content: 'x' }] });
    expect(missingField.status).toBe(400);
    expect(missingField.body.error.message).toBe('messages.0.tool_call_id is required');
    const huge = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] });
    expect(huge.status).toBe(413);
    expect((await modelCallRows(h.t)).length).toBe(before);
    const unknown = await chat({ model: 'no-provider-serves-this' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ type: 'model_not_found' });
    // An accepted request that fails routing is still one row.
    const rows = await modelCallRows(h.t);
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({ status: 'failed', errorCode: 'model_not_found' });
  });
});

describe('image URLs', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'google', baseUrl: h.upstream.url, keys: ['gemini-key-000000000000'] });
  });
  afterAll(() => h.close());

  it('refuses image URLs on the private network instead of fetching them', async () => {
    const res = await h.t.request
      .post('/api/v1/chat/completions')
      .set(bearer(h.t.adminKey))
      .send({ model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'http://169.254.169.254/latest/meta-data' } }] }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_image_url');
    expect(h.upstream.requests).toHaveLength(0);
    const v2 = await h.t.request
      .post('/api/v2/chat')
      .set(bearer(h.t.adminKey))
      .send({ agent: '$CHAT_MODEL', input: { messages: [{ role: 'user', content: [{ type: 'url', url: 'http://127.0.0.1:22/' }] }], modelOptions: { model: 'google/gemini-2.5-flash' } } });
    expect(v2.status).toBe(400);
  });

  it('passes inline (data:) images to the provider', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const res = await h.t.request
      .post('/api/v1/chat/completions')
      .set(bearer(h.t.adminKey))
      .send({ model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }] }] });
    expect(res.status).toBe(200);
    const upstream = h.upstream.requests.at(-1)!.body as { contents: { parts: { inlineData?: { data: string } }[] }[] };
    expect(JSON.stringify(upstream.contents)).toContain(png);
  });
});
