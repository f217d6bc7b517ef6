/** Failover, cooldowns, faults mid-stream, client aborts, timeouts and bad input on /api/v1. */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, modelCallRows, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const KEY_A = 'sk-upstream-key-aaaaaaaaaaaa';
const KEY_B = 'sk-upstream-key-bbbbbbbbbbbb';
const DS_KEY = 'sk-deepseek-key-cccccccccccc';

/** An OpenAI chat chunk event of `model`: a delta, or (with `usage`) the usage-only last chunk. */
const chatChunk = (model: string, delta: object, usage: object | null = null) =>
  `data: ${JSON.stringify({ id: `chatcmpl-${model}`, object: 'chat.completion.chunk', created: 1, model, choices: usage ? [] : [{ index: 0, delta }], usage })}\n\n`;

/** Runs `fn` with a server of the test's own on loopback (an upstream, say); closes it (and its connections) afterwards. */
async function withServer(handler: http.RequestListener, fn: (origin: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('gateway resilience', () => {
  let h: GatewayHarness;
  let openai: { id: string; credentialIds: string[] };
  const chat = (body: Record<string, unknown>) => h.t.request.post('/api/v1/chat/completions').set(bearer(h.t.adminKey)).send({ messages: [{ role: 'user', content: 'hi there' }], ...body });

  beforeAll(async () => {
    h = await startGatewayHarness({ UPSTREAM_TIMEOUT_MS: '1500' });
    openai = await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: [KEY_A, KEY_B], rank: 1, rates: [{ model: 'shared-model' }, { model: 'gpt-4o-mini' }] });
    await addProvider(h.t, { name: 'deepseek', baseUrl: `${h.upstream.url}/v1`, keys: [DS_KEY], rank: 2, rates: [{ model: 'shared-model' }] });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    h.upstream.reset();
    // Give every credential a clean slate for the next test.
    for (const id of openai.credentialIds) await h.t.request.put(`/api/ai-providers/${openai.id}/credentials/${id}`).set(bearer(h.t.adminKey)).send({ enabled: true });
  });

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

  it('ends a stream that breaks mid-way with an error event, and records the failure', async () => {
    h.upstream.enqueue({ reset: 'mid-stream', afterChunks: 2, match: { path: 'chat/completions' } });
    const res = await chat({ model: 'openai/gpt-4o-mini', stream: true });
    expect(res.status).toBe(200);
    const events = res.text.split('\n\n').filter(Boolean);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, ''));
    expect(last.error).toMatchObject({ type: 'upstream_error', message: expect.any(String) });
    expect(res.text).not.toContain('[DONE]');
    expect(events.length).toBeGreaterThanOrEqual(2);
    const row = await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id']);
    expect(row).toMatchObject({ status: 'failed', stream: 1 });
    expect(row!.errorReason).toBeTruthy();
  });

  it('tries the next credential when a whole answer is cut off in the middle of its body', async () => {
    h.upstream.enqueue({ reset: 'mid-stream', match: { apiKey: KEY_A } }, { reset: 'mid-stream', match: { apiKey: KEY_B } });
    const res = await chat({ model: 'openai/gpt-4o-mini' });
    // Both keys of the first provider broke mid-answer; the same model is not on the second one.
    expect(res.status).toBe(502);
    expect(res.body.error.type).toBe('upstream_error');
    expect(h.upstream.requests.filter((r) => r.reset)).toHaveLength(2);
    const row = await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id']);
    expect(row).toMatchObject({ status: 'failed', attempts: 2, creditsNano: 0 });

    h.upstream.enqueue({ reset: 'mid-stream', match: { path: 'chat/completions' } });
    const retried = await chat({ model: 'openai/gpt-4o-mini' });
    expect(retried.status).toBe(200);
    expect(retried.body.choices[0].message.content).toBe('Echo: hi there');
    expect(await modelCallRow(h.t, retried.headers['x-aigne-hub-model-call-id'])).toMatchObject({ status: 'success', attempts: 2 });
  });

  it('answers 502 when an upstream answers 200 with a body that is not JSON', async () => {
    h.upstream.enqueue({ status: 200, body: 'this is not json', headers: { 'content-type': 'application/json' }, match: { path: 'chat/completions' }, times: 2 });
    const res = await chat({ model: 'openai/gpt-4o-mini' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ type: 'upstream_error', message: expect.stringContaining('unreadable answer') });
    expect(await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id'])).toMatchObject({ status: 'failed', creditsNano: 0 });
  });

  it('relays a long stream whole to a client that stops reading for a while', async () => {
    // ~6 MB of events: more than the sockets buffer, so the relay waits for the client, the
    // upstream answer's chunks pile up and its reading is paused, then resumed.
    const words = 40_000;
    h.upstream.setDefaults({ chunks: words, reply: 'lorem ipsum dolor sit amet consectetur adipiscing elit' });
    const url = new URL(`${h.url}/api/v1/chat/completions`);
    const { text, callId } = await new Promise<{ text: string; callId: string }>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.t.adminKey}` } }, (res) => {
        const parts: Buffer[] = [];
        res.pause();
        setTimeout(() => {
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve({ text: Buffer.concat(parts).toString('utf8'), callId: String(res.headers['x-aigne-hub-model-call-id']) }));
          res.resume();
        }, 1500);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'a long answer' }] }));
    });
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const contents = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')).choices[0]?.delta?.content ?? '');
    expect(contents.filter(Boolean)).toHaveLength(words);
    expect(contents.join('').split(/\s+/).filter(Boolean)).toHaveLength(words);
    const row = await modelCallRow(h.t, callId);
    expect(row).toMatchObject({ status: 'success', stream: 1, outputTokens: words });
  }, 30_000);

  it('relays the real answer of an upstream that sends 103 Early Hints first, whole and streamed', async () => {
    const completion = { id: 'chatcmpl-hints', object: 'chat.completion', created: 1, model: 'hinted-model', choices: [{ index: 0, message: { role: 'assistant', content: 'after the hints' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };
    const chunk = (delta: object, usage: object | null = null) => chatChunk('hinted-model', delta, usage);
    const hinting: http.RequestListener = (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        if (!JSON.parse(body).stream) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(chunk({ role: 'assistant', content: 'after ' }) + chunk({ content: 'the hints' }) + chunk({}, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }) + 'data: [DONE]\n\n');
      });
    };
    await withServer(hinting, async (origin) => {
      await addProvider(h.t, { name: 'xai', baseUrl: `${origin}/v1`, keys: ['xai-key-dddddddddddd'], rank: 3, rates: [{ model: 'hinted-model' }] });

      const whole = await chat({ model: 'xai/hinted-model' });
      expect(whole.status).toBe(200);
      expect(whole.body.choices[0].message.content).toBe('after the hints');
      expect(await modelCallRow(h.t, whole.headers['x-aigne-hub-model-call-id'])).toMatchObject({ status: 'success', inputTokens: 3, outputTokens: 4 });

      const streamed = await chat({ model: 'xai/hinted-model', stream: true });
      expect(streamed.status).toBe(200);
      const deltas = streamed.text.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? '');
      expect(deltas.join('')).toBe('after the hints');
      expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(await modelCallRow(h.t, streamed.headers['x-aigne-hub-model-call-id'])).toMatchObject({ status: 'success', inputTokens: 3, outputTokens: 4 });
    });
  });

  it('estimates the usage of a stream that reports none, sends it when asked, and ends with [DONE] whether the upstream sent one', async () => {
    const quiet: http.RequestListener = (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const withDone = JSON.parse(body).messages[0].content === 'with done';
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chatChunk('quiet-model', { role: 'assistant', content: 'one ' }));
        res.end(chatChunk('quiet-model', { content: 'two three' }) + (withDone ? 'data: [DONE]\n\n' : ''));
      });
    };
    await withServer(quiet, async (origin) => {
      await addProvider(h.t, { name: 'ollama', baseUrl: `${origin}/v1`, keys: ['ollama-key-eeeeeeeeeeee'], rank: 3, rates: [{ model: 'quiet-model' }] });
      for (const content of ['with done', 'without done']) {
        const streamed = await chat({ model: 'ollama/quiet-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content }] });
        expect(streamed.status).toBe(200);
        const events = streamed.text.split('\n\n').filter(Boolean);
        expect(events.at(-1)).toBe('data: [DONE]');
        expect(events.filter((e) => e === 'data: [DONE]')).toHaveLength(1);
        const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[]; usage?: { prompt_tokens: number; completion_tokens: number } | null });
        expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('one two three');
        // The estimate (one output token per content chunk after the first) comes last, before [DONE].
        expect(chunks.at(-1)!.choices).toEqual([]);
        expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 1 });
        const row = await modelCallRow(h.t, streamed.headers['x-aigne-hub-model-call-id']);
        expect(row).toMatchObject({ status: 'success', outputTokens: 1, usageEstimated: 1 });
        expect(row!.inputTokens).toBe(chunks.at(-1)!.usage!.prompt_tokens);
      }
    });
  });

  it('stops reading an upstream stream that sends an error event and stays open: its request is aborted', async () => {
    let upstreamClosed = false;
    let trickle: NodeJS.Timeout | undefined;
    const erring: http.RequestListener = (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chatChunk('erring-model', { role: 'assistant', content: 'half ' }));
        res.write(`data: ${JSON.stringify({ error: { message: 'the model is overloaded', type: 'server_error' } })}\n\n`);
        // A misbehaving upstream: the answer never ends after its error event.
        trickle = setInterval(() => res.write(': still here\n\n'), 50);
        res.on('close', () => {
          upstreamClosed = true;
          clearInterval(trickle);
        });
      });
    };
    try {
      await withServer(erring, async (origin) => {
        await addProvider(h.t, { name: 'openrouter', baseUrl: `${origin}/v1`, keys: ['or-key-eeeeeeeeeeee'], rank: 4, rates: [{ model: 'erring-model' }] });
        const res = await chat({ model: 'openrouter/erring-model', stream: true });
        expect(res.status).toBe(200);
        const events = res.text.split('\n\n').filter(Boolean);
        expect(JSON.parse(events.at(-1)!.replace(/^data: /, '')).error).toMatchObject({ type: 'upstream_error', message: expect.stringContaining('the model is overloaded') });
        expect(await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id'])).toMatchObject({ status: 'failed', stream: 1 });
        await waitFor(async () => upstreamClosed, 5000);
      });
    } finally {
      clearInterval(trickle);
    }
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
