import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { collectChat } from '../shared/collect-chat.js';
import type { ChatRequest, ProviderTarget } from '../types.js';
import { openaiProvider } from './index.js';

let up: FakeUpstream;
let target: ProviderTarget;
const { chat, embed, image } = openaiProvider.adapter;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  up = await startFakeUpstream();
  target = { baseUrl: `${up.url}/v1`, credential: { api_key: 'sk-openai-secret-0001' } };
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const hello: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there world' }] };
const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('openai adapter: chat', () => {
  it('streams text once, with the model and exact usage', async () => {
    const events = [];
    for await (const e of chat!(hello, target, { signal: signal() })) events.push(e);
    const texts = events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text);
    expect(texts.join('')).toBe('Echo: hello there world');
    expect(texts.length).toBe(4); // one event per streamed word, and no repeat of the whole text
    expect(events.find((e) => e.type === 'model')).toEqual({ type: 'model', model: 'gpt-4o-mini' });
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { inputTokens: 5, outputTokens: 4 } });
    const req = up.requests[0]!;
    expect(req.apiKey).toBe('sk-openai-secret-0001');
    expect(req.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
  });

  it('forwards temperature, topP, maxTokens (as max_completion_tokens) and stop', async () => {
    await collectChat(chat!({ ...hello, temperature: 0.2, topP: 0.9, maxTokens: 42, stop: ['END'] }, target, { signal: signal() }));
    expect(up.requests[0]!.body).toMatchObject({ temperature: 0.2, top_p: 0.9, max_completion_tokens: 42, stop: ['END'] });
  });

  it('returns tool calls with parsed arguments', async () => {
    const out = await collectChat(chat!({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Paris' }], tools: [weather] }, target, { signal: signal() }));
    expect(out.text).toBe('');
    expect(out.toolCalls).toHaveLength(1);
    expect(out.toolCalls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } });
    expect(out.toolCalls[0]!.id).toMatch(/^call_/);
    expect(out.usage).toEqual({ inputTokens: 1, outputTokens: 1 });
  });

  it('sends a named tool_choice as {type, function: {name}} and a tool result turn back', async () => {
    const out = await collectChat(
      chat!(
        {
          model: 'gpt-4o-mini',
          tools: [weather],
          toolChoice: { type: 'function', function: { name: 'get_weather' } },
          messages: [
            { role: 'user', content: 'Paris' },
            { role: 'agent', toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
            { role: 'tool', toolCallId: 'call_1', content: 'sunny' },
          ],
        },
        target,
        { signal: signal() },
      ),
    );
    expect(out.text).toBe('Echo: Paris');
    const body = up.requests[0]!.body as { tool_choice: unknown; messages: { role: string; tool_calls?: unknown[]; tool_call_id?: string }[] };
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] });
    expect(body.messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'sunny' });
  });

  it('asks for json_object natively and returns the JSON text', async () => {
    const out = await collectChat(chat!({ ...hello, responseFormat: { type: 'json_object' } }, target, { signal: signal() }));
    expect(JSON.parse(out.text)).toEqual({ echo: 'hello there world' });
    expect(up.requests[0]!.body).toMatchObject({ response_format: { type: 'json_object' } });
  });

  it('returns json for a json_schema response format', async () => {
    const out = await collectChat(
      chat!(
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Ada' }],
          responseFormat: { type: 'json_schema', jsonSchema: { name: 'p', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } },
        },
        target,
        { signal: signal() },
      ),
    );
    expect(out.json).toEqual({ name: 'Ada' });
    expect(out.text).toBe('');
    expect(up.requests[0]!.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'p' } } });
  });

  it('passes image URLs and inline images as image_url parts', async () => {
    await collectChat(
      chat!(
        {
          model: 'gpt-4o-mini',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what is this' },
                { type: 'url', url: 'https://example.com/cat.png' },
                { type: 'file', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
              ],
            },
          ],
        },
        target,
        { signal: signal() },
      ),
    );
    const content = (up.requests[0]!.body as { messages: { content: unknown[] }[] }).messages[0]!.content;
    expect(content).toEqual([
      { type: 'text', text: 'what is this' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);
  });
});

describe('openai adapter: errors', () => {
  it('401 is an auth failure, not retryable, and never shows the key', async () => {
    up.enqueue({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-openai-secret-0001', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const err = await failure(collectChat(chat!(hello, target, { signal: signal() })));
    expect(err).toMatchObject({ status: 401, kind: 'http', retryable: false, isAuthFailure: true });
    expect(err.message).not.toContain('sk-openai-secret-0001');
    expect(err.message).toContain('Incorrect API key');
  });

  it('429 with retry-after is retryable and carries retryAfter', async () => {
    up.enqueue({ status: 429, headers: { 'retry-after': '12' } });
    const err = await failure(collectChat(chat!(hello, target, { signal: signal() })));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfter: 12, isAuthFailure: false });
  });

  it('500 is retryable, 400 is not', async () => {
    up.enqueue({ status: 500 });
    expect(await failure(collectChat(chat!(hello, target, { signal: signal() })))).toMatchObject({ status: 500, retryable: true });
    up.enqueue({ status: 400 });
    expect(await failure(collectChat(chat!(hello, target, { signal: signal() })))).toMatchObject({ status: 400, retryable: false });
  });

  it('a non-JSON error page keeps its status', async () => {
    up.enqueue({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const err = await failure(collectChat(chat!(hello, target, { signal: signal() })));
    expect(err).toMatchObject({ status: 502, kind: 'http', retryable: true });
  });

  it('connection refused is a retryable connection error', async () => {
    const dead = { ...target, baseUrl: 'http://127.0.0.1:1/v1' };
    const err = await failure(collectChat(chat!(hello, dead, { signal: signal() })));
    expect(err).toMatchObject({ kind: 'connection', retryable: true });
    expect(err.status).toBeUndefined();
  });

  it('a reset before the headers is a connection error', async () => {
    up.enqueue({ reset: 'before-headers' });
    expect(await failure(collectChat(chat!(hello, target, { signal: signal() })))).toMatchObject({ kind: 'connection', retryable: true });
    // No retry behind the gateway's back (@aigne/core would otherwise retry network errors).
    expect(up.requests).toHaveLength(1);
  });

  it('a reset mid-stream throws from the iterator after the first text', async () => {
    up.enqueue({ reset: 'mid-stream', afterChunks: 3 });
    const seen: string[] = [];
    const err = await failure(
      (async () => {
        for await (const e of chat!({ ...hello, messages: [{ role: 'user', content: 'a b c d e f g' }] }, target, { signal: signal() })) {
          if (e.type === 'text') seen.push(e.text);
        }
      })(),
    );
    expect(seen).toEqual(['Echo:', ' a']);
    expect(err).toMatchObject({ kind: 'connection', retryable: true });
    expect(up.requests).toHaveLength(1);
  });

  it('an in-stream error event is classified by its type', async () => {
    up.enqueue({ status: 503, afterChunks: 2 });
    const err = await failure(collectChat(chat!(hello, target, { signal: signal() })));
    expect(err).toMatchObject({ status: 500, kind: 'http', retryable: true });
  });

  it('a missing key is an auth failure before any request', async () => {
    const err = await failure(collectChat(chat!(hello, { ...target, credential: {} }, { signal: signal() })));
    expect(err.isAuthFailure).toBe(true);
    expect(up.requests).toHaveLength(0);
  });
});

describe('openai adapter: abort and timeout', () => {
  it('aborting the signal closes the upstream request and throws an aborted error', async () => {
    up.enqueue({ chunkDelayMs: 40, chunks: 200 });
    const controller = new AbortController();
    const seen: string[] = [];
    const err = await failure(
      (async () => {
        for await (const e of chat!(hello, target, { signal: controller.signal })) {
          if (e.type === 'text') {
            seen.push(e.text);
            if (seen.length === 2) controller.abort();
          }
        }
      })(),
    );
    expect(err).toMatchObject({ kind: 'aborted', retryable: false });
    const rec = await up.waitFor((r) => r.aborted, 2000);
    expect(rec.completed).toBe(false);
  });

  it('a consumer that stops reading closes the upstream request', async () => {
    up.enqueue({ chunkDelayMs: 40, chunks: 200 });
    for await (const e of chat!(hello, target, { signal: signal() })) {
      if (e.type === 'text') break;
    }
    const rec = await up.waitFor((r) => r.aborted, 2000);
    expect(rec.aborted).toBe(true);
  });

  it('an upstream that goes quiet past timeoutMs is a retryable timeout', async () => {
    // It would answer in a minute: only timeoutMs can end the call within the test's time.
    up.enqueue({ delayMs: 60_000 });
    const err = await failure(collectChat(chat!(hello, target, { signal: signal(), timeoutMs: 150 })));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect((await up.waitFor((r) => r.aborted, 5000)).completed).toBe(false);
  });

  it('a signal aborted by AbortSignal.timeout reports a timeout', async () => {
    up.enqueue({ delayMs: 1000 });
    const err = await failure(collectChat(chat!(hello, target, { signal: AbortSignal.timeout(100) })));
    expect(err.kind).toBe('timeout');
  });
});

describe('openai adapter: embeddings and images', () => {
  it('embeds a batch in order with the upstream usage', async () => {
    const out = await embed!({ model: 'text-embedding-3-small', input: ['one two', 'three'], dimensions: 8 }, target, { signal: signal() });
    expect(out.embeddings).toHaveLength(2);
    expect(out.embeddings[0]).toHaveLength(8);
    expect(out.embeddings[0]).not.toEqual(out.embeddings[1]);
    expect(out.usage).toEqual({ inputTokens: 3, outputTokens: 0 });
    expect(up.requests[0]).toMatchObject({ path: '/v1/embeddings', apiKey: 'sk-openai-secret-0001' });
  });

  it('embedding errors are ProviderErrors', async () => {
    up.enqueue({ status: 429, headers: { 'retry-after': '3' } });
    const err = await failure(embed!({ model: 'text-embedding-3-small', input: ['x'] }, target, { signal: signal() }));
    expect(err).toMatchObject({ status: 429, retryAfter: 3, retryable: true });
  });

  it('generates b64 images (gpt-image) and URL images (dall-e)', async () => {
    const b64 = await image!({ model: 'gpt-image-1', prompt: 'a red square', n: 2 }, target, { signal: signal() });
    expect(b64.images).toHaveLength(2);
    expect(Buffer.from(b64.images[0]!.b64Json!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(b64.usage).toEqual({ inputTokens: 3, outputTokens: 2, images: 2 });
    expect(up.requests[0]!.body).not.toHaveProperty('response_format');
    const url = await image!({ model: 'dall-e-3', prompt: 'a cat', size: '1024x1024', responseFormat: 'url', quality: 'hd' }, target, { signal: signal() });
    expect(url.images[0]!.url).toMatch(/\/__fake\/image\.png/);
    expect(up.requests[1]!.body).toMatchObject({ model: 'dall-e-3', size: '1024x1024', quality: 'hd', response_format: 'url' });
  });
});
