/** Wire fidelity: the @aigne model classes (and the SDKs under them) pointed at the fake upstream. */
import { AnthropicChatModel } from '@aigne/anthropic';
import { BedrockChatModel } from '@aigne/bedrock';
import { GeminiChatModel } from '@aigne/gemini';
import { IdeogramImageModel } from '@aigne/ideogram';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embeddingFor } from './content.js';
import { startFakeUpstream } from './server.js';
import type { FakeUpstream } from './types.js';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

async function collect(stream: AsyncIterable<any> | ReadableStream<any>) {
  let text = '';
  const json: Record<string, any> = {};
  for await (const chunk of stream as AsyncIterable<any>) {
    if (chunk.delta?.text?.text) text += chunk.delta.text.text;
    if (chunk.delta?.json) Object.assign(json, chunk.delta.json);
  }
  return { text, json };
}

describe('fake upstream: Anthropic', () => {
  const model = () =>
    new AnthropicChatModel({
      apiKey: 'sk-ant-test',
      model: 'claude-sonnet-4-5',
      clientOptions: { baseURL: up.url, maxRetries: 0 },
      retryOnError: false,
    });

  it('streams text with exact usage to AnthropicChatModel', async () => {
    const stream = await model().invoke(
      { messages: [{ role: 'system', content: 'terse' }, { role: 'user', content: 'hello from claude' }] },
      { streaming: true },
    );
    const { text, json } = await collect(stream);
    expect(text).toBe('Echo: hello from claude');
    expect(json.model).toBe('claude-sonnet-4-5');
    expect(json.usage).toMatchObject({ inputTokens: 4, outputTokens: 4 });
    const req = up.requests[0]!;
    expect(req).toMatchObject({ path: '/v1/messages', protocol: 'anthropic', apiKey: 'sk-ant-test' });
    expect(req.headers['x-api-key']).toBe('sk-ant-test');
    expect(req.headers['anthropic-version']).toBeDefined();
  });

  it('streams tool_use with input_json_delta', async () => {
    const out = await model().invoke({ messages: [{ role: 'user', content: 'Oslo' }], tools: [weather] });
    expect(out.toolCalls).toHaveLength(1);
    expect(out.toolCalls![0]!.function).toEqual({ name: 'get_weather', arguments: { city: 'Oslo' } });
    expect(out.usage).toMatchObject({ inputTokens: 1, outputTokens: 1 });
  });

  it('answers JSON (non-streamed) through the Anthropic SDK', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: up.url, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 50, messages: [{ role: 'user', content: 'a b' }] });
    expect(msg.content).toEqual([{ type: 'text', text: 'Echo: a b' }]);
    expect(msg.usage).toMatchObject({ input_tokens: 2, output_tokens: 3 });
    expect(msg.stop_reason).toBe('end_turn');
  });

  it('errors carry the Anthropic shape and status', async () => {
    up.enqueue({ status: 401 });
    const client = new Anthropic({ apiKey: 'k', baseURL: up.url, maxRetries: 0 });
    const err = await client.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('surfaces an in-stream overloaded error', async () => {
    up.enqueue({ status: 529, afterChunks: 3 });
    const stream = await model().invoke({ messages: [{ role: 'user', content: 'a b c d' }] }, { streaming: true });
    await expect(collect(stream)).rejects.toThrow(/overloaded|Overloaded|529|Upstream/i);
  });
});

describe('fake upstream: Gemini', () => {
  const model = () =>
    new GeminiChatModel({
      apiKey: 'gm-key',
      model: 'gemini-2.0-flash',
      clientOptions: { httpOptions: { baseUrl: up.url } },
      retryOnError: false,
    });

  it('streams text with usageMetadata to GeminiChatModel', async () => {
    const stream = await model().invoke(
      { messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'hola mundo' }] },
      { streaming: true },
    );
    const { text, json } = await collect(stream);
    expect(text).toBe('Echo: hola mundo');
    expect(json.usage).toMatchObject({ inputTokens: 4, outputTokens: 3 });
    expect(json.model).toBe('gemini-2.0-flash');
    const req = up.requests[0]!;
    expect(req.path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent');
    expect(req.query).toContain('alt=sse');
    expect(req.apiKey).toBe('gm-key');
  });

  it('answers functionCall parts', async () => {
    const out = await model().invoke({ messages: [{ role: 'user', content: 'Rome' }], tools: [weather], toolChoice: 'auto' });
    expect(out.toolCalls![0]!.function).toEqual({ name: 'get_weather', arguments: { city: 'Rome' } });
  });

  it('serves embedContent and batchEmbedContents', async () => {
    const one = await fetch(`${up.url}/v1beta/models/text-embedding-004:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'gm-key', 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'hi there' }] }, outputDimensionality: 4 }),
    });
    expect((await one.json()).embedding.values).toEqual(embeddingFor('hi there', 4));
    const batch = await fetch(`${up.url}/v1beta/models/text-embedding-004:batchEmbedContents`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'gm-key' },
      body: JSON.stringify({ requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] } }, { content: { parts: [{ text: 'b' }] } }] }),
    });
    const body = await batch.json();
    expect(body.embeddings).toHaveLength(2);
    expect(body.embeddings[1].values).toHaveLength(768);
  });

  it('errors carry the Google shape', async () => {
    up.enqueue({ status: 429 });
    const err = await model().invoke({ messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.message).toContain('RESOURCE_EXHAUSTED');
  });
});

describe('fake upstream: Bedrock (AWS event stream)', () => {
  const model = () =>
    new BedrockChatModel({
      model: 'us.amazon.nova-lite-v1:0',
      region: 'us-east-1',
      accessKeyId: 'AKIDFAKE',
      secretAccessKey: 'secret',
      clientOptions: { endpoint: up.url, maxAttempts: 1 },
      retryOnError: false,
    } as ConstructorParameters<typeof BedrockChatModel>[0]);

  it('streams converse-stream events with usage', async () => {
    const stream = await model().invoke({ messages: [{ role: 'user', content: 'guten tag' }] }, { streaming: true });
    const { text, json } = await collect(stream);
    expect(text).toBe('Echo: guten tag');
    expect(json.usage).toEqual({ inputTokens: 2, outputTokens: 3 });
    expect(up.requests[0]).toMatchObject({ path: '/model/us.amazon.nova-lite-v1%3A0/converse-stream', apiKey: 'AKIDFAKE', model: 'us.amazon.nova-lite-v1:0' });
  });

  it('streams toolUse deltas', async () => {
    const out = await model().invoke({ messages: [{ role: 'user', content: 'Lima' }], tools: [weather] });
    expect(out.toolCalls![0]!.function).toEqual({ name: 'get_weather', arguments: { city: 'Lima' } });
  });

  it('errors carry x-amzn-errortype', async () => {
    up.enqueue({ status: 429 });
    const err = await model().invoke({ messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(429);
  });
});

describe('fake upstream: Ideogram', () => {
  it('serves IdeogramImageModel (multipart) with image URLs', async () => {
    const model = new IdeogramImageModel({ apiKey: 'ideo-key', baseURL: up.url, model: 'ideogram-v3' });
    const out = await model.invoke({ prompt: 'a lighthouse', n: 2, outputFileType: 'url' });
    expect(out.images).toHaveLength(2);
    expect(out.images[0]).toMatchObject({ type: 'url', url: `${up.url}/__fake/image.png?i=0` });
    expect(up.requests[0]).toMatchObject({ path: '/v1/ideogram-v3/generate', apiKey: 'ideo-key', protocol: 'ideogram' });
  });
});
