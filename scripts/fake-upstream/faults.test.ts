import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream } from './server.js';
import type { FakeUpstream } from './types.js';

let up: FakeUpstream;
let client: OpenAI;

beforeAll(async () => {
  up = await startFakeUpstream();
  client = new OpenAI({ apiKey: 'sk-a', baseURL: `${up.url}/v1`, maxRetries: 0 });
});
afterAll(() => up.close());
beforeEach(() => up.reset());
afterEach(() => {
  vi.useRealTimers();
});

const chat = (body: Record<string, unknown> = {}, key = 'sk-a') =>
  fetch(`${up.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

describe('fake upstream faults', () => {
  it('answers a status fault in the provider error shape with its headers, once', async () => {
    up.enqueue({ status: 429, headers: { 'retry-after': '7' } });
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    const ok = await chat();
    expect(ok.status).toBe(200);
  });

  it('uses Anthropic and Google error shapes on their paths', async () => {
    up.enqueue({ status: 529 }, { status: 503 });
    const a = await fetch(`${up.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'c', max_tokens: 5, messages: [] }) });
    expect(a.status).toBe(529);
    expect(await a.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: expect.any(String) } });
    const g = await fetch(`${up.url}/v1beta/models/gemini-2.0-flash:generateContent`, { method: 'POST', body: '{}' });
    expect(g.status).toBe(503);
    expect(await g.json()).toEqual({ error: { code: 503, message: expect.any(String), status: 'UNAVAILABLE' } });
  });

  it('sends a custom (non-JSON) body', async () => {
    up.enqueue({ status: 502, body: '<html><body>Bad gateway</body></html>' });
    const res = await chat();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Bad gateway');
  });

  it('applies a fault `times` times, only to matching requests', async () => {
    up.enqueue({ status: 401, match: { apiKey: 'sk-bad' }, times: 2 });
    expect((await chat({}, 'sk-good')).status).toBe(200);
    expect((await chat({}, 'sk-bad')).status).toBe(401);
    expect((await chat({}, 'sk-bad')).status).toBe(401);
    expect((await chat({}, 'sk-bad')).status).toBe(200);
    up.enqueue({ status: 500, match: { model: 'gpt-4o', path: 'chat/completions' } });
    expect((await chat({ model: 'gpt-4o-mini' })).status).toBe(200);
    expect((await chat({ model: 'gpt-4o' })).status).toBe(500);
  });

  it('delays the answer by delayMs', async () => {
    // The fake's timers run on the test's clock; sockets in real time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    up.enqueue({ delayMs: 150 });
    const res = chat();
    const received = await up.waitFor(() => true);
    vi.advanceTimersByTime(149);
    expect(received.status).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(received.status).toBe(200);
    expect((await res).status).toBe(200);
  });

  it('resets the connection before the headers', async () => {
    up.enqueue({ reset: 'before-headers' });
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(up.requests[0]!.reset).toBe(true);
  });

  it('resets the connection in the middle of a stream, after the headers and some events', async () => {
    up.enqueue({ reset: 'mid-stream', afterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'a b c d e f' }],
    });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(seen.length).toBe(2);
    expect(up.requests[0]!.status).toBe(200);
  });

  it('cuts a non-streamed body in the middle', async () => {
    up.enqueue({ reset: 'mid-stream' });
    const res = await chat();
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('sends the in-stream error event for a status fault with afterChunks', async () => {
    up.enqueue({ status: 500, afterChunks: 1 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'a b c' }] });
    const err = await (async () => {
      for await (const _ of stream) {
        // consume
      }
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.error).toMatchObject({ type: 'server_error' });
  });

  it('trickles a streamed reply with chunkDelayMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    up.enqueue({ chunkDelayMs: 30, chunks: 4 });
    const res = await chat({ stream: true });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const next = async () => decoder.decode((await reader.read()).value);
    // role chunk + 4 content chunks + stop chunk + [DONE] = 7 events, one each time 30 ms pass.
    const reads = [await next()];
    for (let i = 1; i < 7; i++) {
      vi.advanceTimersByTime(30);
      reads.push(await next());
    }
    expect(reads.map((r) => r.match(/^data: /gm)?.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(reads.join('').match(/"content":"/g)?.length).toBe(5);
    expect(reads[6]).toBe('data: [DONE]\n\n');
    vi.advanceTimersByTime(30);
    expect((await reader.read()).done).toBe(true);
  });

  it('refuses unknown credentials when acceptKeys is set', async () => {
    up.setDefaults({ acceptKeys: ['sk-good'] });
    expect((await chat({}, 'sk-good')).status).toBe(200);
    const bad = await chat({}, 'sk-nope');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const gemini = await fetch(`${up.url}/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'nope' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
    });
    expect(gemini.status).toBe(400);
    expect(JSON.stringify(await gemini.json())).toContain('API_KEY_INVALID');
  });

  it('records a request the client abandoned as aborted', async () => {
    up.enqueue({ chunkDelayMs: 50, chunks: 100 });
    const controller = new AbortController();
    const res = await fetch(`${up.url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const rec = await up.waitFor((r) => r.aborted, 2000);
    expect(rec.completed).toBe(false);
  });

  it('is scriptable over HTTP', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${up.url}/__fake/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('enqueue', [{ status: 503 }, { status: 418, times: 1 }])).status).toBe(200);
    expect((await chat()).status).toBe(503);
    expect((await chat()).status).toBe(418);
    await post('defaults', { reply: 'scripted' });
    const res = await (await chat()).json();
    expect(res.choices[0].message.content).toBe('scripted');
    const recorded = await (await fetch(`${up.url}/__fake/requests`)).json();
    expect(recorded).toHaveLength(3);
    expect(recorded[0]).toMatchObject({ path: '/v1/chat/completions', apiKey: 'sk-a', status: 503 });
    await post('reset', {});
    expect(up.requests).toHaveLength(0);
    expect((await (await chat()).json()).choices[0].message.content).toBe('Echo: hi');
  });

  it('keeps at most recordLimit requests and can stop recording', async () => {
    up.setDefaults({ recordLimit: 2 });
    await chat({ messages: [{ role: 'user', content: '1' }] });
    await chat({ messages: [{ role: 'user', content: '2' }] });
    await chat({ messages: [{ role: 'user', content: '3' }] });
    expect(up.requests.map((r) => (r.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual(['2', '3']);
    up.setDefaults({ record: false });
    await chat();
    expect(up.requests).toHaveLength(2);
  });
});
