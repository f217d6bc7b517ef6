/** OpenAI-format requests to Anthropic and Gemini models, translated both ways, streamed and not. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';

const tool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'lookup', description: 'look something up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
};

describe.each([
  { provider: 'anthropic', model: 'anthropic/claude-sonnet-4-5', protocol: 'anthropic', baseUrl: (u: string) => u },
  { provider: 'google', model: 'google/gemini-2.5-flash', protocol: 'gemini', baseUrl: (u: string) => u },
])('OpenAI format to $provider', ({ provider, model, protocol, baseUrl }) => {
  let h: GatewayHarness;
  let client: OpenAI;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: provider, baseUrl: baseUrl(h.upstream.url), keys: [`${provider}-upstream-key-00000001`] });
    client = new OpenAI({ apiKey: h.t.adminKey, baseURL: `${h.url}/api/v1`, maxRetries: 0 });
  });
  afterAll(() => h.close());

  it('answers non-streamed with exact usage', async () => {
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'translate this please' }], max_tokens: 50, temperature: 0.2 })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Echo: translate this please');
    expect(data.model).toBe(model);
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4 });
    const upstream = h.upstream.requests.at(-1)!;
    expect(upstream.protocol).toBe(protocol);
    const row = await modelCallRow(h.t, response.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', inputTokens: 5, outputTokens: 4, usageEstimated: 0 });
  });

  it('streams chat.completion.chunk events with usage and [DONE]', async () => {
    const res = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.t.adminKey}` },
      body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'streamed translation' }] }),
    });
    const raw = await res.text();
    const events = raw.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Echo: streamed translation');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === model)).toBe(true);
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
  });

  it('translates tools and tool calls, streamed too', async () => {
    const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'find cats' }], tools: [tool] });
    const call = res.choices[0]!.message.tool_calls?.[0];
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call && call.type === 'function' ? call.function.name : undefined).toBe('lookup');
    expect(call && call.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual(expect.any(Object));
    const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'find dogs' }], tools: [tool], stream: true });
    const names: string[] = [];
    for await (const chunk of stream) for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) if (tc.function?.name) names.push(tc.function.name);
    expect(names).toEqual(['lookup']);
    // A tool result goes back upstream in the provider's own shape.
    const followUp = await client.chat.completions.create({
      model,
      messages: [
        { role: 'user', content: 'find cats' },
        { role: 'assistant', content: null, tool_calls: [{ id: call!.id, type: 'function', function: { name: 'lookup', arguments: '{"q":"cats"}' } }] },
        { role: 'tool', tool_call_id: call!.id, content: 'three cats found' },
      ],
      tools: [tool],
      tool_choice: 'none',
    });
    expect(followUp.choices[0]!.message.content).toMatch(/^Echo:/);
  });
});
