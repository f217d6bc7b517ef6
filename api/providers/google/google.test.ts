import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embeddingFor, startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { ProviderError } from '../../errors.js';
import { collectChat } from '../shared/collect-chat.js';
import type { ChatRequest, ProviderTarget } from '../types.js';
import { estimateGeminiEmbeddingTokens, googleProvider } from './index.js';

let up: FakeUpstream;
let target: ProviderTarget;
const { chat, embed, image } = googleProvider.adapter;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  up = await startFakeUpstream();
  target = { baseUrl: up.url, credential: { api_key: 'AIzaFakeGeminiKey000000000000000' } };
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const hello: ChatRequest = { model: 'gemini-2.0-flash', messages: [{ role: 'system', content: 'short answers' }, { role: 'user', content: 'hola mundo' }] };

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('google (Gemini) adapter: chat', () => {
  it('streams text with exact usage and forwards maxOutputTokens / stopSequences', async () => {
    const out = await collectChat(chat!({ ...hello, maxTokens: 99, stop: ['END'], temperature: 0.1 }, target, { signal: signal() }));
    expect(out).toMatchObject({ text: 'Echo: hola mundo', model: 'gemini-2.0-flash', usage: { inputTokens: 4, outputTokens: 3 } });
    expect(out.textEvents).toBe(3);
    const req = up.requests[0]!;
    expect(req).toMatchObject({ path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent', apiKey: 'AIzaFakeGeminiKey000000000000000' });
    expect(req.body).toMatchObject({ generationConfig: { maxOutputTokens: 99, stopSequences: ['END'], temperature: 0.1 } });
  });

  it('returns functionCall parts as tool calls', async () => {
    const out = await collectChat(
      chat!(
        {
          model: 'gemini-2.0-flash',
          messages: [{ role: 'user', content: 'Rome' }],
          tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
          toolChoice: 'required',
        },
        target,
        { signal: signal() },
      ),
    );
    expect(out.toolCalls[0]!.function).toEqual({ name: 'get_weather', arguments: { city: 'Rome' } });
    expect(up.requests[0]!.body).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'ANY' } } });
  });

  it('sends inline images inline, without leaving temp files behind', async () => {
    const marker = Buffer.from(`inline-image-${Date.now()}-${Math.random()}`).toString('base64');
    const filesWithMarker = () =>
      readdirSync(tmpdir())
        .map((d) => join(tmpdir(), d))
        .filter((d) => statSync(d).isDirectory() && /[0-9a-f]{8}-[0-9a-f]{4}-7/.test(d))
        .flatMap((d) => readdirSync(d).map((f) => join(d, f)))
        .filter((f) => readFileSync(f).toString('base64') === marker);
    await collectChat(
      chat!({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'file', data: marker, mimeType: 'image/png' }] }] }, target, {
        signal: signal(),
      }),
    );
    const parts = (up.requests[0]!.body as { contents: { parts: unknown[] }[] }).contents[0]!.parts;
    expect(parts[1]).toEqual({ inlineData: { data: marker, mimeType: 'image/png' } });
    expect(filesWithMarker()).toEqual([]);
  });

  it('returns json for json_object (JSON MIME type)', async () => {
    const out = await collectChat(chat!({ ...hello, responseFormat: { type: 'json_object' } }, target, { signal: signal() }));
    expect(out.json).toEqual({});
    expect(up.requests[0]!.body).toMatchObject({ generationConfig: { responseMimeType: 'application/json' } });
  });

  it('an invalid key (400 API_KEY_INVALID) is an auth failure; 429 and 503 are retryable', async () => {
    up.setDefaults({ acceptKeys: ['another-key'] });
    const bad = await failure(collectChat(chat!(hello, target, { signal: signal() })));
    expect(bad).toMatchObject({ status: 401, isAuthFailure: true, retryable: false });
    expect(bad.message).not.toContain('AIzaFakeGeminiKey');
    up.reset();
    up.enqueue({ status: 429 });
    expect(await failure(collectChat(chat!(hello, target, { signal: signal() })))).toMatchObject({ status: 429, retryable: true });
    up.enqueue({ status: 503, afterChunks: 1 });
    expect(await failure(collectChat(chat!(hello, target, { signal: signal() })))).toMatchObject({ status: 503, retryable: true });
  });

  it('aborting closes the upstream request', async () => {
    up.enqueue({ chunkDelayMs: 40, chunks: 100 });
    const controller = new AbortController();
    const err = await failure(
      (async () => {
        for await (const e of chat!(hello, target, { signal: controller.signal })) if (e.type === 'text') controller.abort();
      })(),
    );
    expect(err.kind).toBe('aborted');
    expect((await up.waitFor((r) => r.aborted, 2000)).completed).toBe(false);
  });
});

describe('google (Gemini) adapter: embeddings and images', () => {
  it('embeds through batchEmbedContents; usage is estimated (Gemini reports none)', async () => {
    const input = ['hello world', 'bye'];
    const out = await embed!({ model: 'text-embedding-004', input, dimensions: 6 }, target, { signal: signal() });
    expect(out.embeddings).toEqual([embeddingFor('hello world', 6), embeddingFor('bye', 6)]);
    expect(out.usage).toEqual({ inputTokens: estimateGeminiEmbeddingTokens(input), outputTokens: 0 });
    expect(out.usage.inputTokens).toBe(4);
    expect(up.requests[0]!.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
  });

  it('embedding errors are ProviderErrors', async () => {
    up.enqueue({ status: 500 });
    expect(await failure(embed!({ model: 'text-embedding-004', input: ['x'] }, target, { signal: signal() }))).toMatchObject({ status: 500, retryable: true });
  });

  it('generates images with Gemini image models and with Imagen', async () => {
    const gem = await image!({ model: 'gemini-2.5-flash-image', prompt: 'a boat' }, target, { signal: signal() });
    expect(gem.images).toHaveLength(1);
    expect(Buffer.from(gem.images[0]!.b64Json!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(up.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
    const imagen = await image!({ model: 'imagen-4.0-generate-001', prompt: 'a boat', n: 2 }, target, { signal: signal() });
    expect(imagen.images).toHaveLength(2);
    expect(imagen.usage.images).toBe(2);
    expect(up.requests[1]!.path).toBe('/v1beta/models/imagen-4.0-generate-001:predict');
  });
});
