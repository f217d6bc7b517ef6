/**
 * /api/v2/chat and /api/v2/chat/completions on the OpenAI wire without the model classes give what
 * the model classes give: one hub relays (the default), one goes through @aigne/openai and
 * @aigne/transport (V2_CHAT_VIA_MODEL_CLASSES). Both answer a corpus of requests from their own
 * fake upstream; the answers, the requests that went up, and the ModelCall rows are compared field
 * by field.
 */
import { AIGNEHubChatModel } from '@aigne/aigne-hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64, type FakeFault } from '../../scripts/fake-upstream/index.js';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';

interface Side {
  h: GatewayHarness;
  key: string;
}
let relay: Side;
let classes: Side;

/** Both hubs call one fake upstream (the first hub's), one request at a time. */
async function side(env: Record<string, string>, upstreamUrl?: string): Promise<Side> {
  // One secret for both: the credential cipher is the process's, and both hubs live in this one.
  const h = await startGatewayHarness({ IMAGE_FETCH_ALLOW_HOSTS: '127.0.0.1', AIGNE_HUB_SECRET: 'parity-secret-0123456789abcdef0123', ...env });
  await addProvider(h.t, { name: 'openai', baseUrl: `${upstreamUrl ?? h.upstream.url}/v1`, keys: ['sk-upstream-parity-0000000001'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.0000013', outputRate: '0.0000027' }] });
  return { h, key: h.t.adminKey };
}

beforeAll(async () => {
  relay = await side({});
  classes = await side({ V2_CHAT_VIA_MODEL_CLASSES: 'true' }, relay.h.upstream.url);
});
afterAll(async () => {
  await Promise.all([relay?.h.close(), classes?.h.close()]);
});

const weather = { type: 'function', function: { name: 'get_weather', description: 'The weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'number' } }, required: ['city'] } } };
const clock = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } };
const schema = { type: 'object', properties: { city: { type: 'string' }, rank: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['city'] };

const corpus: Record<string, Record<string, unknown>> = {
  text: { messages: [{ role: 'user', content: 'hello there' }] },
  'system prompt and options': {
    messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'name a colour' }],
    modelOptions: { temperature: 0.3, topP: 0.9, maxTokens: 64, presencePenalty: 0.1, frequencyPenalty: 0.2 },
  },
  'multi-turn': {
    messages: [
      { role: 'user', content: 'first question' },
      { role: 'agent', content: 'first answer' },
      { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'text', text: 'question here' }] },
    ],
  },
  tools: { messages: [{ role: 'user', content: 'weather in Paris' }], tools: [weather, clock], modelOptions: { parallelToolCalls: false } },
  'tool choice': { messages: [{ role: 'user', content: 'time in Tokyo' }], tools: [weather, clock], toolChoice: { type: 'function', function: { name: 'get_time' } } },
  'tool results': {
    messages: [
      { role: 'user', content: 'weather in Paris' },
      { role: 'agent', toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', toolCallId: 'call_1', content: '{"celsius": 21}' },
    ],
    tools: [weather],
    toolChoice: 'auto',
  },
  'json schema': { messages: [{ role: 'user', content: 'a city please' }], responseFormat: { type: 'json_schema', jsonSchema: { name: 'city', schema } } },
  'json schema with tools': { messages: [{ role: 'user', content: 'weather in Oslo' }], tools: [weather], responseFormat: { type: 'json_schema', jsonSchema: { name: 'city', schema } } },
  images: {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is on these' },
          { type: 'file', data: TINY_PNG_BASE64, mimeType: 'image/png' },
          { type: 'url', url: 'IMAGE_URL', mimeType: 'image/png' },
        ],
      },
    ],
  },
  'multi-byte text cut between reads': { messages: [{ role: 'user', content: 'héllo wörld 日本語 ✓' }] },
};

/** Ids the upstream makes up for each answer, and the per-hub port in image URLs. */
function normalize(text: string): string {
  return text.replace(/call_[a-z0-9]+/g, 'call_ID').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
}

interface Answer {
  status: number;
  mediaType: string;
  body: unknown;
  upstream: Record<string, unknown> | undefined;
  row: Record<string, unknown> | undefined;
}

async function ask(s: Side, path: string, payload: unknown, fault?: FakeFault): Promise<Answer> {
  const up = relay.h.upstream;
  up.reset();
  if (fault) up.enqueue(fault);
  const res = await fetch(`${s.h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` }, body: JSON.stringify(payload).replace('IMAGE_URL', `${up.url}/__fake/image.png`) });
  const mediaType = String(res.headers.get('content-type')).split(';')[0]!;
  const text = normalize(await res.text());
  const body = mediaType === 'text/event-stream' ? text.split('\n\n').filter(Boolean) : JSON.parse(text);
  const id = res.headers.get('x-aigne-hub-model-call-id');
  const row = id ? await modelCallRow(s.h.t, id) : undefined;
  const sent = up.requests.at(-1)?.body as Record<string, unknown> | undefined;
  return { status: res.status, mediaType, body, upstream: sent && JSON.parse(normalize(JSON.stringify(sent))), row };
}

/** The row's fields that say what was called and charged. */
function charged(row: Record<string, unknown> | undefined) {
  if (!row) return row;
  const { model, providerId, type, status, stream, inputTokens, outputTokens, cacheReadTokens, creditsNano, usageEstimated, attempts, errorCode } = row;
  return { model, type, status, stream, inputTokens, outputTokens, cacheReadTokens, creditsNano: String(creditsNano), usageEstimated, attempts, errorCode, provider: Boolean(providerId) };
}

/** The non-streamed relay asks for a whole answer; the classes always stream. Everything else goes up the same. */
function withoutStreaming(body: Record<string, unknown> | undefined) {
  if (!body) return body;
  const { stream: _s, stream_options: _o, ...rest } = body;
  return rest;
}

function expectSame(fast: Answer, slow: Answer, streaming: boolean) {
  expect(fast.status).toBe(slow.status);
  expect(fast.mediaType).toBe(slow.mediaType);
  expect(fast.body).toEqual(slow.body);
  expect(charged(fast.row)).toEqual(charged(slow.row));
  if (streaming) expect(fast.upstream).toEqual(slow.upstream);
  else expect(withoutStreaming(fast.upstream)).toEqual(withoutStreaming(slow.upstream));
}

const chat = (input: Record<string, unknown>, streaming: boolean) => ({ agent: '$CHAT_MODEL', input: { ...input, modelOptions: { model: 'openai/gpt-4o-mini', ...(input.modelOptions as object) } }, options: { streaming } });

describe('/api/v2/chat: relay and model classes answer alike', () => {
  for (const [name, input] of Object.entries(corpus)) {
    for (const streaming of [false, true]) {
      it(`${name}, ${streaming ? 'streamed' : 'whole'}`, async () => {
        const fault = name.startsWith('multi-byte') ? { cutEvents: true } : undefined;
        const fast = await ask(relay, '/api/v2/chat', chat(input, streaming), fault);
        const slow = await ask(classes, '/api/v2/chat', chat(input, streaming), fault);
        expect(fast.status).toBe(200);
        expectSame(fast, slow, streaming);
        expect(fast.row).toMatchObject({ status: 'success' });
        expect(Number(fast.row!.creditsNano)).toBeGreaterThan(0);
      });
    }
  }

  it('asks the upstream for a whole answer when the client does (the classes always stream)', async () => {
    const fast = await ask(relay, '/api/v2/chat', chat(corpus.text!, false));
    const slow = await ask(classes, '/api/v2/chat', chat(corpus.text!, false));
    expect(fast.upstream?.stream).toBeUndefined();
    expect(slow.upstream?.stream).toBe(true);
  });
});

describe('/api/v2/chat/completions: relay and model classes answer alike', () => {
  const hubChat = (input: Record<string, unknown>, stream: boolean) => {
    const o = (input.modelOptions ?? {}) as Record<string, unknown>;
    return { model: 'openai/gpt-4o-mini', messages: input.messages, tools: input.tools, toolChoice: input.toolChoice, responseFormat: input.responseFormat, temperature: o.temperature, topP: o.topP, maxTokens: o.maxTokens, stream };
  };
  for (const name of ['text', 'system prompt and options', 'tools', 'tool results', 'json schema', 'images']) {
    for (const stream of [false, true]) {
      it(`${name}, ${stream ? 'streamed' : 'whole'}`, async () => {
        const fast = await ask(relay, '/api/v2/chat/completions', hubChat(corpus[name]!, stream));
        const slow = await ask(classes, '/api/v2/chat/completions', hubChat(corpus[name]!, stream));
        expect(fast.status).toBe(200);
        expectSame(fast, slow, stream);
      });
    }
  }
});

describe('the official client sees the same answers from both', () => {
  const client = (s: Side) => new AIGNEHubChatModel({ baseURL: s.h.url, apiKey: s.key, model: 'aignehub/openai/gpt-4o-mini' });
  for (const name of ['text', 'tools', 'json schema']) {
    it(name, async () => {
      const input = corpus[name] as never;
      const fast = await client(relay).invoke(input);
      const slow = await client(classes).invoke(input);
      expect(JSON.parse(normalize(JSON.stringify(fast)))).toEqual(JSON.parse(normalize(JSON.stringify(slow))));
      expect(fast.usage?.inputTokens).toBeGreaterThan(0);
    });
  }
});

describe('output that breaks the requested JSON schema', () => {
  // The relay does not check answers against the schema; the official client (a ChatModel) checks
  // them itself and asks again, which it does not when the hub's model classes refused the answer.
  const client = (s: Side) => new AIGNEHubChatModel({ baseURL: s.h.url, apiKey: s.key, model: 'aignehub/openai/gpt-4o-mini' });
  const invoke = async (s: Side) => {
    const up = relay.h.upstream;
    up.reset();
    up.enqueue({ reply: JSON.stringify({ rank: 'first' }) }); // no city, rank not a number; the next answer is valid
    const answer: { out?: Record<string, unknown>; error?: string } = await client(s).invoke(corpus['json schema'] as never).then(
      (out) => ({ out: out as Record<string, unknown> }),
      (err: Error) => ({ error: err.message }),
    );
    return { ...answer, upstreamCalls: up.requests.length };
  };

  it('through the relay: the client refuses it and asks again', async () => {
    const fast = await invoke(relay);
    expect(fast.upstreamCalls).toBe(2);
    expect(fast.out?.json).toMatchObject({ city: expect.any(String), rank: expect.any(Number) });
    expect(fast.out?.$meta).toMatchObject({ retries: 1 });
  });

  it('through the model classes: the hub refuses it', async () => {
    const slow = await invoke(classes);
    expect(slow.upstreamCalls).toBe(1);
    expect(slow.error).toMatch(/does not conform to the provided JSON schema: city: Required/);
  });
});

// Last: failures count against the only credential.
describe('/api/v2/chat: failures end alike', () => {
  /** A success on both sides, which clears the credential's count of failures. */
  const settle = async () => {
    await ask(relay, '/api/v2/chat', chat(corpus.text!, false));
    await ask(classes, '/api/v2/chat', chat(corpus.text!, false));
  };

  it('an error event in the stream', async () => {
    await settle();
    const fault = { status: 500, afterChunks: 2 };
    const fast = await ask(relay, '/api/v2/chat', chat(corpus.text!, true), fault);
    const slow = await ask(classes, '/api/v2/chat', chat(corpus.text!, true), fault);
    expect((fast.body as string[]).at(-1)).toMatch(/^event: error\ndata: .*upstream returned 500/);
    expect(fast.body).toEqual(slow.body);
    expect(charged(fast.row)).toEqual(charged(slow.row));
  });

  it('an upstream cut off in the stream', async () => {
    await settle();
    const fault = { reset: 'mid-stream' as const, afterChunks: 2 };
    const fast = await ask(relay, '/api/v2/chat', chat(corpus.text!, true), fault);
    const slow = await ask(classes, '/api/v2/chat', chat(corpus.text!, true), fault);
    const [f, s] = [fast.body as string[], slow.body as string[]];
    expect(f.at(-1)).toMatch(/^event: error\ndata: .*upstream connection error/);
    expect(f).toEqual(s);
    expect(charged(fast.row)).toEqual(charged(slow.row));
  });

  // 429 last: it cools the only credential down.
  const before: [string, FakeFault, boolean][] = [
    ['rejected (400)', { status: 400 }, false],
    ['rejected (400)', { status: 400 }, true],
    ['unavailable (503)', { status: 503 }, true],
    ['rate limited (429)', { status: 429 }, false],
  ];
  for (const [name, fault, streaming] of before) {
    it(`an error before the answer: ${name}, ${streaming ? 'streamed' : 'whole'}`, async () => {
      await settle();
      const fast = await ask(relay, '/api/v2/chat', chat(corpus.text!, streaming), fault);
      const slow = await ask(classes, '/api/v2/chat', chat(corpus.text!, streaming), fault);
      expect(fast.status).toBeGreaterThanOrEqual(400);
      expect(fast.status).toBe(slow.status);
      const [f, s] = [fast.body as { error: Record<string, string> }, slow.body as { error: Record<string, string> }];
      expect(f.error.type).toBe(s.error.type);
      expect(f.error.code).toBe(s.error.code);
      // The classes repeat the provider and status inside the upstream's message; both end with it.
      const upstreamMessage = s.error.message.split(': ').at(-1)!;
      expect(f.error.message.endsWith(upstreamMessage)).toBe(true);
      expect(charged(fast.row)).toEqual(charged(slow.row));
      expect(fast.row).toMatchObject({ status: 'failed', creditsNano: 0 });
    });
  }
});
