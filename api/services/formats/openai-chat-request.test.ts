import { describe, expect, it } from 'vitest';
import { providerRegistry } from '../../providers/registry.js';
import type { ChatRequest } from '../../providers/types.js';
import { openAIChatRequestFits, toOpenAIChatBody } from './openai-chat-request.js';

/** Each OpenAI-wire provider's @aigne chat class: its dialect must say what the class does. */
const CLASSES: Record<string, () => Promise<new (o: object) => object>> = {
  openai: async () => (await import('@aigne/openai')).OpenAIChatModel,
  'openai-compatible': async () => (await import('@aigne/openai')).OpenAIChatModel,
  deepseek: async () => (await import('@aigne/deepseek')).DeepSeekChatModel,
  doubao: async () => (await import('@aigne/doubao')).DoubaoChatModel,
  ollama: async () => (await import('@aigne/ollama')).OllamaChatModel,
  openrouter: async () => (await import('@aigne/open-router')).OpenRouterChatModel,
  poe: async () => (await import('@aigne/poe')).PoeChatModel,
  xai: async () => (await import('@aigne/xai')).XAIChatModel,
};

describe('the OpenAI chat dialects', () => {
  const wired = providerRegistry.filter((p) => p.adapter.wires?.['openai-chat']);

  it('cover every provider on the OpenAI chat wire', () => {
    expect(wired.map((p) => p.manifest.id).sort()).toEqual(Object.keys(CLASSES).sort());
  });

  for (const p of providerRegistry.filter((x) => x.adapter.wires?.['openai-chat'])) {
    it(`${p.manifest.id}: the class's flags`, async () => {
      const Model = await CLASSES[p.manifest.id]!();
      const model = new Model({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:1/v1', model: 'm' }) as Record<string, unknown>;
      const d = p.adapter.openaiChatDialect ?? {};
      expect({ native: d.nativeStructuredOutputs ?? true, empty: d.toolsEmptyParameters ?? true, streaming: d.toolStreaming ?? true }).toEqual({
        native: model.supportsNativeStructuredOutputs,
        empty: model.supportsToolsEmptyParameters,
        streaming: model.supportsToolStreaming,
      });
    });
  }
});

const base: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const tool = (name: string, parameters?: Record<string, unknown>) => ({ type: 'function' as const, function: { name, parameters } });

describe('toOpenAIChatBody', () => {
  it('drops what the class drops for the models it knows', () => {
    const req = { ...base, temperature: 0.5, topP: 0.9, tools: [tool('a')], parallelToolCalls: true };
    const o3 = toOpenAIChatBody({ ...req, model: 'o3-mini' }, false);
    expect([o3.temperature, o3.top_p, o3.parallel_tool_calls]).toEqual([undefined, 0.9, undefined]);
    const gpt5 = toOpenAIChatBody({ ...req, model: 'gpt-5-mini' }, false);
    expect('temperature' in gpt5 || 'top_p' in gpt5).toBe(false);
    expect(toOpenAIChatBody(req, true)).toMatchObject({ temperature: 0.5, top_p: 0.9, parallel_tool_calls: true, stream: true, stream_options: { include_usage: true } });
  });

  it('writes tool names as the wire takes them, and empty parameters per dialect', () => {
    const req = { ...base, tools: [tool('get-weather now', {})], toolChoice: { type: 'function' as const, function: { name: 'get-weather now' } } };
    const body = toOpenAIChatBody(req, false, { toolsEmptyParameters: false });
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'get_weather_now', description: undefined, parameters: { type: 'object' } } }]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather_now' } });
    expect(openAIChatRequestFits(req)).toBe(true);
    expect(openAIChatRequestFits({ ...base, tools: [tool('get.weather')] })).toBe(false);
  });

  it('leaves to the class what only the class does', () => {
    const json: ChatRequest = { ...base, responseFormat: { type: 'json_schema', jsonSchema: { name: 'x', schema: { type: 'object' } } } };
    expect(openAIChatRequestFits(json, { nativeStructuredOutputs: false })).toBe(false);
    expect(openAIChatRequestFits({ ...base, tools: [tool('a')] }, { toolStreaming: false })).toBe(false);
    expect(openAIChatRequestFits(json, {})).toBe(true);
  });

  it('the output cap, stop and JSON mode as the hub adds them', () => {
    const body = toOpenAIChatBody({ ...base, maxTokens: 9, stop: ['x'], responseFormat: { type: 'json_object' } }, false, { maxTokensField: 'max_completion_tokens' });
    expect(body).toMatchObject({ max_completion_tokens: 9, stop: ['x'], response_format: { type: 'json_object' } });
  });
});
