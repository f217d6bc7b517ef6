/** The OpenAI-compatible family through other @aigne classes: DeepSeek, Ollama, any OpenAI-compatible server. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { ProviderError } from '../../errors.js';
import { ollamaProvider } from '../ollama/index.js';
import { openaiCompatibleProvider } from '../openai-compatible/index.js';
import { collectChat } from '../shared/collect-chat.js';
import { deepseekProvider } from './index.js';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const signal = () => new AbortController().signal;
const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('deepseek adapter', () => {
  const target = () => ({ baseUrl: `${up.url}/v1`, credential: { api_key: 'ds-key' } });

  it('streams text with usage and sends max_tokens', async () => {
    const out = await collectChat(
      deepseekProvider.adapter.chat!({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'ni hao' }], maxTokens: 7 }, target(), { signal: signal() }),
    );
    expect(out).toMatchObject({ text: 'Echo: ni hao', model: 'deepseek-chat', usage: { inputTokens: 2, outputTokens: 3 } });
    expect(out.textEvents).toBe(3);
    expect(up.requests[0]).toMatchObject({ path: '/v1/chat/completions', apiKey: 'ds-key' });
    expect(up.requests[0]!.body).toMatchObject({ model: 'deepseek-chat', max_tokens: 7 });
  });

  it('collects tool calls', async () => {
    const out = await collectChat(
      deepseekProvider.adapter.chat!({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hanoi' }], tools: [weather] }, target(), { signal: signal() }),
    );
    expect(out.toolCalls.map((c) => c.function)).toEqual([{ name: 'get_weather', arguments: { city: 'Hanoi' } }]);
  });

  it('answers json_schema through json_object mode (DeepSeek has no native structured outputs)', async () => {
    // The schema travels in a system prompt; the scripted reply plays a model that follows it.
    up.enqueue({ reply: '{"name":"Ada"}' });
    const out = await collectChat(
      deepseekProvider.adapter.chat!(
        {
          model: 'deepseek-chat',
          messages: [{ role: 'user', content: 'Ada' }],
          responseFormat: { type: 'json_schema', jsonSchema: { name: 'p', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } },
        },
        target(),
        { signal: signal() },
      ),
    );
    const body = up.requests[0]!.body as { response_format: unknown; messages: { role: string; content: string }[] };
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0]!.role).toBe('system');
    expect(body.messages[0]!.content).toContain('"name"');
    expect(out.json).toEqual({ name: 'Ada' });
  });
});

describe('ollama adapter', () => {
  it('works without a key (sends the placeholder) and embeds', async () => {
    const target = { baseUrl: `${up.url}/v1`, credential: {} };
    const out = await collectChat(ollamaProvider.adapter.chat!({ model: 'llama3.2', messages: [{ role: 'user', content: 'hey' }] }, target, { signal: signal() }));
    expect(out.text).toBe('Echo: hey');
    expect(up.requests[0]!.apiKey).toBe('ollama');
    const emb = await ollamaProvider.adapter.embed!({ model: 'nomic-embed-text', input: ['a'] }, target, { signal: signal() });
    expect(emb.embeddings[0]).toHaveLength(1536);
  });
});

describe('openai-compatible adapter', () => {
  it('calls any base URL (with its own path prefix)', async () => {
    const target = { baseUrl: `${up.url}/custom/api/v1/`, credential: { api_key: 'vllm-key' } };
    const out = await collectChat(
      openaiCompatibleProvider.adapter.chat!({ model: 'Qwen/Qwen2.5-7B-Instruct', messages: [{ role: 'user', content: 'hi' }] }, target, { signal: signal() }),
    );
    expect(out.text).toBe('Echo: hi');
    expect(up.requests[0]).toMatchObject({ path: '/custom/api/v1/chat/completions', model: 'Qwen/Qwen2.5-7B-Instruct', apiKey: 'vllm-key' });
  });

  it('refuses to run without a base URL, before any request', async () => {
    const err = await collectChat(
      openaiCompatibleProvider.adapter.chat!({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { credential: {} }, { signal: signal() }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toMatch(/base URL/);
  });
});
