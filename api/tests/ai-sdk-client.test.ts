/**
 * The Vercel AI SDK pointed at the hub, unchanged: `@ai-sdk/openai`'s `.responses()` model on
 * /api/v1/responses and `@ai-sdk/anthropic` on /api/v1/messages, each to a provider on its own wire
 * and to one it is translated for, generate and stream, with a tool.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const tools = {
  get_weather: tool({ description: 'weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) }),
};

describe('Vercel AI SDK against the hub', () => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-openai-key-000000001'], rates: [{ model: 'gpt-4o-mini' }] });
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-key-0000000001'], rates: [{ model: 'claude-sonnet-4-5' }] });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'ai sdk' })).body.key;
  });
  afterAll(() => h.close());

  const openai = () => createOpenAI({ apiKey: key, baseURL: `${h.url}/api/v1` });
  const anthropic = () => createAnthropic({ apiKey: key, baseURL: `${h.url}/api/v1` });
  const models = [
    { name: '@ai-sdk/openai .responses() → OpenAI (same wire)', model: () => openai().responses('openai/gpt-4o-mini'), upstreamPath: '/v1/responses' },
    { name: '@ai-sdk/openai .responses() → Anthropic (translated)', model: () => openai().responses('anthropic/claude-sonnet-4-5'), upstreamPath: '/v1/messages' },
    { name: '@ai-sdk/anthropic → Anthropic (same wire)', model: () => anthropic()('anthropic/claude-sonnet-4-5'), upstreamPath: '/v1/messages' },
    { name: '@ai-sdk/anthropic → OpenAI (translated)', model: () => anthropic()('openai/gpt-4o-mini'), upstreamPath: '/v1/chat/completions' },
  ];

  for (const m of models) {
    describe(m.name, () => {
      it('generates text with usage', async () => {
        const r = await generateText({ model: m.model(), system: 'be brief', prompt: 'hello ai sdk', maxRetries: 0 });
        expect(r.text).toBe('Echo: hello ai sdk');
        expect(r.usage.inputTokens).toBe(5);
        expect(r.usage.outputTokens).toBe(4);
        expect(r.finishReason).toBe('stop');
        expect(h.upstream.requests.at(-1)!.path).toBe(m.upstreamPath);
      });

      it('streams text', async () => {
        const r = streamText({ model: m.model(), prompt: 'stream via sdk', maxRetries: 0 });
        let text = '';
        for await (const t of r.textStream) text += t;
        expect(text).toBe('Echo: stream via sdk');
        expect((await r.usage).outputTokens).toBe(4);
      });

      it('calls a tool', async () => {
        const r = await generateText({ model: m.model(), prompt: 'Paris', tools, maxRetries: 0 });
        expect(r.toolCalls).toHaveLength(1);
        expect(r.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Paris' } });
        expect(r.finishReason).toBe('tool-calls');
      });
    });
  }
});
