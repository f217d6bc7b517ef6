import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embeddingFor } from './content.js';
import { startFakeUpstream } from './server.js';
import type { FakeUpstream } from './types.js';

let up: FakeUpstream;
let client: OpenAI;

beforeAll(async () => {
  up = await startFakeUpstream();
  client = new OpenAI({ apiKey: 'sk-openai-test', baseURL: `${up.url}/v1`, maxRetries: 0 });
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
};

describe('fake upstream: OpenAI chat completions', () => {
  it('answers JSON with an echo of the last user message and exact usage', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there world' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4o-mini');
    expect(res.choices[0]!.message.content).toBe('Echo: hello there world');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    // input: "be brief" (2) + "hello there world" (3); output: "Echo: hello there world" (4)
    expect(res.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    expect(up.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', apiKey: 'sk-openai-test', protocol: 'openai', model: 'gpt-4o-mini' });
    expect(up.requests[0]!.headers.authorization).toBe('Bearer sk-openai-test');
  });

  it('streams chat.completion.chunk events, with a final usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two three' }],
    });
    let text = '';
    const finish: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.choices.length === 0) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finish.push(c.finish_reason);
      }
    }
    expect(text).toBe('Echo: one two three');
    expect(finish.at(-1)).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
    expect(chunks).toBeGreaterThan(4);
  });

  it('sends no usage chunk without stream_options.include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const all = [];
    for await (const chunk of stream) all.push(chunk);
    expect(all.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
  });

  it('answers with a call to the first tool (JSON)', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Paris' }],
      tools: [weatherTool],
    });
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', days: 1 });
    expect(res.usage!.completion_tokens).toBe(1);
  });

  it('streams tool calls as index/id/name then argument fragments', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Berlin' }],
      tools: [weatherTool],
    });
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        deltas.push(...(c.delta.tool_calls ?? []));
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    expect(finish).toBe('tool_calls');
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(deltas[0]!.id).toMatch(/^call_/);
    expect(deltas.length).toBeGreaterThan(2);
    const args = deltas.map((d) => d.function?.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ city: 'Berlin', days: 1 });
  });

  it('answers text after a tool result, and honours tool_choice none / a named tool', async () => {
    const afterTool = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Paris' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    });
    expect(afterTool.choices[0]!.message.content).toBe('Echo: Paris');
    const none = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool],
      tool_choice: 'none',
      messages: [{ role: 'user', content: 'Paris' }],
    });
    expect(none.choices[0]!.message.content).toBe('Echo: Paris');
    const named = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool, { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } }],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      messages: [{ role: 'user', content: 'UTC' }],
    });
    const call = named.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_time');
    expect(JSON.parse(call.function.arguments)).toEqual({ zone: 'UTC' });
  });

  it('answers JSON text in json_object and json_schema modes', async () => {
    const obj = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'give json' }],
    });
    expect(JSON.parse(obj.choices[0]!.message.content!)).toEqual({ echo: 'give json' });
    const schema = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'person', schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' }, tags: { type: 'array' } } } },
      },
      messages: [{ role: 'user', content: 'Ada' }],
    });
    expect(JSON.parse(schema.choices[0]!.message.content!)).toEqual({ name: 'Ada', age: 1, tags: [] });
  });

  it('accepts image content parts (they count no tokens)', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(res.choices[0]!.message.content).toBe('Echo: what is this');
    expect(res.usage!.prompt_tokens).toBe(3);
  });

  it('uses a scripted reply and the chunks setting', async () => {
    up.setDefaults({ reply: 'alpha beta', chunks: 5 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) if (c.delta.content) pieces.push(c.delta.content);
    }
    expect(pieces).toEqual(['alpha', ' beta', ' alpha', ' beta', ' alpha']);
    expect(usage!.completion_tokens).toBe(5);
  });

  it('rejects a body without messages in OpenAI error shape', async () => {
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini' } as never).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
  });
});

describe('fake upstream: OpenAI embeddings, images, models', () => {
  it('returns deterministic embeddings (base64 by default in the client) with usage', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello world', 'again'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding).toHaveLength(1536);
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(up.requests[0]!.body).toMatchObject({ encoding_format: 'base64' });
    const expected = embeddingFor('hello world', 1536);
    expect(res.data[0]!.embedding[0]).toBeCloseTo(expected[0]!, 6);
    const again = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', dimensions: 8, encoding_format: 'float' });
    expect(again.data[0]!.embedding).toEqual(embeddingFor('hello world', 8));
    const norm = Math.hypot(...again.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 5);
  });

  it('answers float arrays whatever encoding_format asks when told to ignore it', async () => {
    up.setDefaults({ ignoreEncodingFormat: true });
    const res = await fetch(`${up.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-openai-test' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hello world', dimensions: 4, encoding_format: 'base64' }),
    });
    const body = (await res.json()) as { data: { embedding: unknown }[] };
    expect(body.data[0]!.embedding).toEqual(embeddingFor('hello world', 4));
  });

  it('reports no usage, whole or streamed, when told to (include_usage ignored)', async () => {
    up.setDefaults({ noUsage: true });
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(whole.choices[0]!.message.content).toBe('Echo: hi');
    expect(whole.usage).toBeUndefined();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Echo: hi');
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it('generates images as b64_json (a real PNG) or as a URL the fake serves', async () => {
    const b64 = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red square', n: 2 });
    expect(b64.data).toHaveLength(2);
    const png = Buffer.from(b64.data![0]!.b64_json!, 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(b64.usage).toMatchObject({ input_tokens: 3, output_tokens: 2 });
    const url = await client.images.generate({ model: 'dall-e-3', prompt: 'a cat', response_format: 'url' });
    expect(url.data![0]!.revised_prompt).toBe('a cat');
    const fetched = await fetch(url.data![0]!.url!);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });
});
