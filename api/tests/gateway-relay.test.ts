/** How answers and streams are relayed when upstreams misbehave: cut off, unreadable, slow to read, early hints, no usage, errors mid-stream. */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { chatChunk, KEY_A, KEY_B, startResilienceHub, withServer, type ResilienceHub } from './helpers/resilience.js';

describe('gateway relay', () => {
  let h: GatewayHarness;
  let chat: ResilienceHub['chat'];
  let hub: ResilienceHub;
  beforeAll(async () => {
    hub = await startResilienceHub();
    ({ h, chat } = hub);
  });
  afterAll(() => hub.close());
  afterEach(() => hub.reset());

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
});
