import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { ProviderError } from '../../errors.js';
import { collectChat } from '../shared/collect-chat.js';
import type { ChatRequest, ProviderTarget } from '../types.js';
import { bedrockProvider, bedrockRegionOf } from './index.js';

let up: FakeUpstream;
let target: ProviderTarget;
const chat = bedrockProvider.adapter.chat!;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  up = await startFakeUpstream();
  target = { baseUrl: up.url, region: 'eu-west-1', credential: { access_key_id: 'AKIAFAKEFAKEFAKE0001', secret_access_key: 'bedrock-secret-value' } };
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const hello: ChatRequest = { model: 'us.amazon.nova-lite-v1:0', messages: [{ role: 'user', content: 'guten tag welt' }] };

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('bedrock adapter', () => {
  it('streams Converse events with usage, signed with the key pair for the region', async () => {
    const out = await collectChat(chat({ ...hello, maxTokens: 20, stop: ['x'] }, target, { signal: signal() }));
    expect(out).toMatchObject({ text: 'Echo: guten tag welt', usage: { inputTokens: 3, outputTokens: 4 } });
    const req = up.requests[0]!;
    expect(req).toMatchObject({ path: '/model/us.amazon.nova-lite-v1%3A0/converse-stream', apiKey: 'AKIAFAKEFAKEFAKE0001' });
    expect(String(req.headers.authorization)).toContain('/eu-west-1/bedrock/aws4_request');
    expect(req.body).toMatchObject({ inferenceConfig: { maxTokens: 20, stopSequences: ['x'] } });
  });

  it('returns tool calls', async () => {
    const out = await collectChat(
      chat(
        { ...hello, tools: [{ type: 'function', function: { name: 'translate', parameters: { type: 'object', properties: { text: { type: 'string' } } } } }] },
        target,
        { signal: signal() },
      ),
    );
    expect(out.toolCalls[0]!.function).toEqual({ name: 'translate', arguments: { text: 'guten tag welt' } });
  });

  it('classifies throttling, bad credentials and server errors', async () => {
    up.enqueue({ status: 429 });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ status: 429, retryable: true });
    up.setDefaults({ acceptKeys: ['AKIAOTHER'] });
    const bad = await failure(collectChat(chat(hello, target, { signal: signal() })));
    expect(bad).toMatchObject({ status: 403, isAuthFailure: true, retryable: false });
    expect(bad.message).not.toContain('bedrock-secret-value');
    up.reset();
    up.enqueue({ status: 500, afterChunks: 2 });
    expect(await failure(collectChat(chat(hello, target, { signal: signal() })))).toMatchObject({ retryable: true });
    expect(up.requests).toHaveLength(1);
  });

  it('a missing key pair is an auth failure; the region defaults to us-east-1', async () => {
    const err = await failure(collectChat(chat(hello, { credential: { access_key_id: 'AKIA' } }, { signal: signal() })));
    expect(err.isAuthFailure).toBe(true);
    expect(bedrockRegionOf({ credential: {} })).toBe('us-east-1');
    expect(bedrockRegionOf({ credential: {}, config: { region: 'ap-south-1' } })).toBe('ap-south-1');
  });

  it('aborting closes the upstream stream', async () => {
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
