/** The official `openai` npm client against /api/v1, with a fake OpenAI upstream behind the hub. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

describe('OpenAI SDK against /api/v1', () => {
  let h: GatewayHarness;
  let client: OpenAI;
  let memberKey: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-openai-key-000000000001'],
      rates: [
        { model: 'gpt-4o-mini', inputRate: '0.0000001', outputRate: '0.0000002' },
        { model: 'text-embedding-3-small', type: 'embedding', inputRate: '0.00000002', outputRate: '0' },
        { model: 'gpt-image-1', type: 'imageGeneration', inputRate: '0', outputRate: '0.04' },
      ],
    });
    const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'sdk user' });
    memberKey = key.body.key;
    client = new OpenAI({ apiKey: memberKey, baseURL: `${h.url}/api/v1`, maxRetries: 0 });
  });
  afterAll(() => h.close());

  it('answers a chat completion with usage, echoing the model string sent', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello there world' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Echo: hello there world');
    expect(data.model).toBe('openai/gpt-4o-mini');
    expect(data.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    const callId = response.headers.get('x-aigne-hub-model-call-id')!;
    const row = await modelCallRow(h.t, callId);
    expect(row).toMatchObject({ status: 'success', model: 'openai/gpt-4o-mini', inputTokens: 3, outputTokens: 4, type: 'chatCompletion', usageEstimated: 0 });
    // 3 × 0.0000001 + 4 × 0.0000002 = 0.0000011 credits = 1100 nano-credits
    expect(Number(row!.creditsNano)).toBe(1100);
    // The upstream got the bare model name and the upstream key, not the client's key.
    const upstreamReq = h.upstream.requests.at(-1)!;
    expect(upstreamReq.model).toBe('gpt-4o-mini');
    expect(upstreamReq.apiKey).toBe('sk-upstream-openai-key-000000000001');
  });

  it('routes a bare model name to the provider that serves it', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'bare' }] });
    expect(res.model).toBe('gpt-4o-mini');
    expect(res.choices[0]!.message.content).toBe('Echo: bare');
  });

  it('streams chunks and a final usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream me please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
      expect(chunk.model).toBe('openai/gpt-4o-mini');
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe('Echo: stream me please');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
  });

  it('relays characters that the upstream’s reads cut in two whole', async () => {
    const reply = 'héllo wörld ✓ 漢字 🙂 end';
    h.upstream.enqueue({ reply, cutEvents: true, match: { path: 'chat/completions' } });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'unicode' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(reply);
  });

  it('asks the upstream for usage even when the client did not, and hides it from the client', async () => {
    const before = (await modelCallRows(h.t)).length;
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'quiet usage' }], stream: true });
    let sawUsage = false;
    for await (const chunk of stream) if (chunk.usage) sawUsage = true;
    expect(sawUsage).toBe(false);
    expect((h.upstream.requests.at(-1)!.body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    const rows = await modelCallRows(h.t);
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({ status: 'success', stream: 1, inputTokens: 2, outputTokens: 3, usageEstimated: 0 });
  });

  it('passes tools through and returns tool calls', async () => {
    const res = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    const upstream = h.upstream.requests.at(-1)!.body as { tools: unknown[] };
    expect(upstream.tools).toHaveLength(1);
  });

  it('creates embeddings, float and base64 (the SDK default)', async () => {
    const res = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['one two', 'three'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding.length).toBeGreaterThan(10);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const floats = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'one two', encoding_format: 'float' });
    expect(floats.data[0]!.embedding[0]).toBeCloseTo(res.data[0]!.embedding[0]!, 5);
  });

  it('generates images', async () => {
    const res = await client.images.generate({ model: 'openai/gpt-image-1', prompt: 'a cat', response_format: 'b64_json' });
    expect(res.data![0]!.b64_json).toMatch(/^iVBOR/);
    const rows = await modelCallRows(h.t);
    expect(rows.at(-1)).toMatchObject({ type: 'imageGeneration', status: 'success' });
    expect(Number(rows.at(-1)!.creditsNano)).toBe(40_000_000); // one image × 0.04
  });

  it('lists models', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'openai/text-embedding-3-small']));
    expect(list.data[0]).toMatchObject({ object: 'model', owned_by: 'openai' });
  });

  it('maps errors to the SDK error classes', async () => {
    const bad = new OpenAI({ apiKey: 'aigne_wrong', baseURL: `${h.url}/api/v1`, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    h.upstream.enqueue({ status: 404, match: { model: 'no-such-model' } });
    const missing = client.chat.completions.create({ model: 'openai/no-such-model', messages: [{ role: 'user', content: 'x' }] });
    await expect(missing).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const unknown = client.chat.completions.create({ model: 'nobody-serves-this', messages: [{ role: 'user', content: 'x' }] });
    await expect(unknown).rejects.toMatchObject({ status: 404, type: 'model_not_found' });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    h.upstream.enqueue({ status: 429, headers: { 'retry-after': '1' }, match: { path: 'chat/completions' } });
    // One credential: a 429 upstream leaves nothing to fail over to.
    await expect(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 502 });
    const cooling = client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    await expect(cooling).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(cooling).rejects.toMatchObject({ status: 503 });
  });
});
