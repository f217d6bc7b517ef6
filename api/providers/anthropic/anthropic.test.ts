import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { ProviderError } from '../../errors.js';
import { collectChat } from '../shared/collect-chat.js';
import type { ChatRequest, ProviderTarget } from '../types.js';
import { anthropicProvider } from './index.js';

let up: FakeUpstream;
let target: ProviderTarget;
const chat = anthropicProvider.adapter.chat!;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  up = await startFakeUpstream();
  target = { baseUrl: up.url, credential: { api_key: 'sk-ant-secret-key-0001' } };
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const hello: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'be kind' }, { role: 'user', content: 'bonjour le monde' }] };

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('anthropic adapter', () => {
  it('streams text once with exact usage, max_tokens and stop_sequences forwarded', async () => {
    const out = await collectChat(chat({ ...hello, maxTokens: 64, stop: ['###'], temperature: 0.5 }, target, { signal: signal() }));
    expect(out).toMatchObject({ text: 'Echo: bonjour le monde', model: 'claude-sonnet-4-5', usage: { inputTokens: 5, outputTokens: 4 } });
    expect(out.textEvents).toBe(4);
    const req = up.requests[0]!;
    expect(req).toMatchObject({ path: '/v1/messages', apiKey: 'sk-ant-secret-key-0001' });
    expect(req.body).toMatchObject({ model: 'claude-sonnet-4-5', stream: true, max_tokens: 64, stop_sequences: ['###'], temperature: 0.5 });
    expect((req.body as { system: { text: string }[] }).system[0]!.text).toBe('be kind');
  });

  it('returns tool calls (tool_use + input_json_delta) and sends tool results back', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const first = await collectChat(chat({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'cats' }], tools }, target, { signal: signal() }));
    expect(first.toolCalls).toHaveLength(1);
    expect(first.toolCalls[0]!.function).toEqual({ name: 'lookup', arguments: { q: 'cats' } });
    const call = first.toolCalls[0]!;
    const second = await collectChat(
      chat(
        {
          model: 'claude-sonnet-4-5',
          tools,
          messages: [
            { role: 'user', content: 'cats' },
            { role: 'agent', toolCalls: [call] },
            { role: 'tool', toolCallId: call.id, content: 'meow' },
          ],
        },
        target,
        { signal: signal() },
      ),
    );
    expect(second.text).toBe('Echo: cats');
    const msgs = (up.requests[1]!.body as { messages: { role: string; content: { type: string }[] }[] }).messages;
    expect(msgs[1]!.content[0]).toMatchObject({ type: 'tool_use', id: call.id, name: 'lookup' });
    expect(msgs[2]!.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: call.id });
  });

  it('returns json for json_object (through a forced output tool)', async () => {
    const out = await collectChat(chat({ ...hello, responseFormat: { type: 'json_object' } }, target, { signal: signal() }));
    expect(out.json).toEqual({});
    expect(up.requests[0]!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'generate_json' } });
  });

  it('passes image URLs as URL sources', async () => {
    await collectChat(
      chat(
        { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'url', url: 'https://example.com/a.png' }] }] },
        target,
        { signal: signal() },
      ),
    );
    const content = (up.requests[0]!.body as { messages: { content: unknown[] }[] }).messages[0]!.content;
    expect(content[1]).toMatchObject({ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } });
  });

  it('classifies 401, 429 + retry-after, 529 and in-stream overloaded errors', async () => {
    up.enqueue({ status: 401 });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ status: 401, isAuthFailure: true, retryable: false });
    up.enqueue({ status: 429, headers: { 'retry-after': '30' } });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ status: 429, retryAfter: 30, retryable: true });
    up.enqueue({ status: 529 });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ status: 529, retryable: true });
    up.enqueue({ status: 529, afterChunks: 4 });
    const inStream = await failure(collectChat(chat(hello, target, { signal: signal() })));
    expect(inStream).toMatchObject({ status: 529, kind: 'http', retryable: true });
    up.enqueue({ status: 400 });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ status: 400, retryable: false });
  });

  it('a reset mid-stream is a connection error, with no hidden retry', async () => {
    up.enqueue({ reset: 'mid-stream', afterChunks: 4 });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ kind: 'connection', retryable: true });
    expect(up.requests).toHaveLength(1);
  });

  it('aborting closes the upstream request', async () => {
    up.enqueue({ chunkDelayMs: 40, chunks: 100 });
    const controller = new AbortController();
    const err = await failure(
      (async () => {
        for await (const e of chat(hello, target, { signal: controller.signal })) if (e.type === 'text') controller.abort();
      })(),
    );
    expect(err.kind).toBe('aborted');
    expect((await up.waitFor((r) => r.aborted, 2000)).completed).toBe(false);
  });
});
