/**
 * The fast dispatcher answers exactly as the Express stack does: every hot route, through a provider
 * on the same wire (OpenAI) and one translated through the model classes (Anthropic), for bad input,
 * unknown models, upstream failures before the answer and in the middle of it (streamed and not),
 * and a client that leaves. The stack is reached with a trailing slash (non-strict routing), which
 * the fast dispatcher does not take.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeFault } from '../../scripts/fake-upstream/index.js';
import { addProvider, modelCallRow, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

interface Route {
  path: string;
  body(model: string, stream: boolean): unknown;
  streams: boolean;
}

const ask = 'one two three four five';
const ROUTES: Route[] = [
  { path: '/api/v1/chat/completions', streams: true, body: (model, stream) => ({ model, stream, messages: [{ role: 'user', content: ask }] }) },
  { path: '/api/v2/chat/completions', streams: true, body: (model, stream) => ({ model, stream, messages: [{ role: 'user', content: ask }] }) },
  {
    path: '/api/v2/chat',
    streams: true,
    body: (model, stream) => ({ agent: '$CHAT_MODEL', input: { messages: [{ role: 'user', content: ask }], modelOptions: { model } }, options: { streaming: stream } }),
  },
  { path: '/api/v1/messages', streams: true, body: (model, stream) => ({ model, stream, max_tokens: 100, messages: [{ role: 'user', content: ask }] }) },
  { path: '/api/v1/responses', streams: true, body: (model, stream) => ({ model, stream, input: ask }) },
  { path: '/api/v1/embeddings', streams: false, body: (model) => ({ model, input: ask }) },
];

const PROVIDERS = [
  { name: 'openai', chatModel: 'openai/gpt-4o-mini', embeddingModel: 'openai/text-embedding-3-small', path: '/v1/' },
  { name: 'anthropic', chatModel: 'anthropic/claude-sonnet-4-5', embeddingModel: null, path: '/v1/messages' },
] as const;

/** What must be equal on both dispatchers: the status, the headers clients read, and the body (ids and times masked). */
function answerOf(res: { status: number; headers: Record<string, string>; text: string }) {
  const mask = (text: string) =>
    text
      .replace(/"(id|created|createdAt|traceId)":("[^"]*"|\d+)/g, '"$1":_')
      .replace(/"created_at":\d+/g, '"created_at":_')
      .replace(/(chatcmpl|msg|call|resp|fc|toolu)[-_][A-Za-z0-9_-]+/g, '$1_')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'uuid');
  return {
    status: res.status,
    contentType: res.headers['content-type'],
    retryAfter: res.headers['retry-after'],
    callId: Boolean(res.headers['x-aigne-hub-model-call-id']),
    cors: res.headers['access-control-allow-origin'],
    body: mask(res.text),
  };
}

describe('the fast dispatcher and the Express stack answer alike', () => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness({ UPSTREAM_TIMEOUT_MS: '5000' });
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-key-parity-000001'],
      rates: [{ model: 'gpt-4o-mini' }, { model: 'text-embedding-3-small', type: 'embedding' }],
    });
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-parity-00001'], rates: [{ model: 'claude-sonnet-4-5' }] });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'parity' })).body.key;
  });
  afterAll(() => h.close());
  afterEach(async () => {
    h.upstream.reset();
    // A failure may have cooled a credential down: every case starts with them usable.
    const providers = (await h.t.request.get('/api/ai-providers').set(bearer(h.t.adminKey))).body as { id: string; credentials: { id: string }[] }[];
    for (const p of providers) for (const c of p.credentials) await h.t.request.put(`/api/ai-providers/${p.id}/credentials/${c.id}`).set(bearer(h.t.adminKey)).send({ enabled: true });
  });

  /** Sends the same request to both dispatchers, each after its own fault, and returns both answers. */
  const both = async (path: string, body: string, fault?: FakeFault, headers: Record<string, string> = { 'content-type': 'application/json', ...bearer(key) }) => {
    const out = [];
    for (const p of [path, `${path}/`]) {
      if (fault) h.upstream.enqueue(fault);
      let r = h.t.request.post(p);
      for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
      out.push(answerOf(await r.send(body)));
    }
    return { fast: out[0]!, stack: out[1]! };
  };

  for (const route of ROUTES) {
    describe(route.path, () => {
      it('refuses malformed JSON', async () => {
        const { fast, stack } = await both(route.path, '{"model": ');
        expect(fast.status).toBe(400);
        expect(fast).toEqual(stack);
      });

      it('refuses a body of the wrong shape', async () => {
        const { fast, stack } = await both(route.path, JSON.stringify({ model: 7, messages: 'hi', input: 3, agent: 'writer' }));
        expect(fast.status).toBe(400);
        expect(fast).toEqual(stack);
      });

      it('refuses a caller without a key', async () => {
        const { fast, stack } = await both(route.path, JSON.stringify(route.body('openai/gpt-4o-mini', false)), undefined, { 'content-type': 'application/json' });
        expect(fast.status).toBe(401);
        expect(fast).toEqual(stack);
      });

      it('answers 404 for a model no provider serves', async () => {
        const { fast, stack } = await both(route.path, JSON.stringify(route.body('skynet/t-800', false)));
        expect(fast.status).toBe(404);
        expect(fast).toEqual(stack);
      });

      for (const provider of PROVIDERS) {
        const model = route.path.endsWith('embeddings') ? provider.embeddingModel : provider.chatModel;
        if (!model) continue;
        const match = { path: route.path.endsWith('embeddings') ? 'embeddings' : provider.path };

        it(`through ${provider.name}: an upstream error before the answer`, async () => {
          const { fast, stack } = await both(route.path, JSON.stringify(route.body(model, false)), { status: 503, match });
          expect(fast.status).toBe(502);
          expect(fast).toEqual(stack);
        });

        it(`through ${provider.name}: a connection reset in the middle of a whole answer is a 502, never a 500`, async () => {
          const { fast, stack } = await both(route.path, JSON.stringify(route.body(model, false)), { reset: 'mid-stream', afterChunks: 2, match });
          expect(fast.status).toBe(502);
          // API.md's code, or Anthropic's type on its route.
          expect(fast.body).toMatch(route.path.endsWith('messages') ? /"api_error"/ : /upstream_/);
          expect(fast).toEqual(stack);
        });

        if (route.streams) {
          it(`through ${provider.name}: a reset in the middle of a stream ends it with an error event`, async () => {
            const { fast, stack } = await both(route.path, JSON.stringify(route.body(model, true)), { reset: 'mid-stream', afterChunks: 2, match });
            expect(fast.status).toBe(200);
            expect(fast.body).toMatch(/error/);
            expect(fast).toEqual(stack);
          });
        }

        it(`through ${provider.name}: a client that leaves is recorded as aborted and its upstream request aborted`, async () => {
          h.upstream.setDefaults({ delayMs: 2_000 });
          for (const p of [route.path, `${route.path}/`]) {
            const sent = h.upstream.requests.length;
            const abort = new AbortController();
            const res = fetch(`${h.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(key) }, body: JSON.stringify(route.body(model, false)), signal: abort.signal });
            await waitFor(async () => h.upstream.requests.length > sent);
            abort.abort();
            await expect(res).rejects.toThrow();
            await waitFor(async () => h.upstream.requests.slice(sent).find((r) => r.aborted));
            const calls = (await h.t.request.get('/api/model-calls?limit=1').set(bearer(h.t.adminKey))).body.data as { id: string }[];
            const row = await waitFor(async () => {
              const r = await modelCallRow(h.t, calls[0]!.id);
              return r?.status === 'aborted' && r;
            });
            expect(row.errorCode).toBe('client_closed_request');
          }
        });
      }
    });
  }

  it('a whole answer through the model classes fails over to the next credential when the first is cut off', async () => {
    const providers = (await h.t.request.get('/api/ai-providers').set(bearer(h.t.adminKey))).body as { id: string; name: string }[];
    const anthropic = providers.find((x) => x.name === 'anthropic')!;
    const second = await h.t.request
      .post(`/api/ai-providers/${anthropic.id}/credentials`)
      .set(bearer(h.t.adminKey))
      .send({ name: 'second', credentialValue: { api_key: 'sk-ant-failover-second-00002' }, validate: false });
    expect(second.status).toBe(201);
    try {
      // Whichever credential goes first is cut off; the other answers.
      h.upstream.enqueue({ reset: 'mid-stream', afterChunks: 2, match: { path: '/v1/messages' } });
      const res = await h.t.request.post('/api/v1/chat/completions').set(bearer(key)).send({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: ask }] });
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe(`Echo: ${ask}`);
      const tried = h.upstream.requests.filter((r) => r.path === '/v1/messages');
      expect(tried).toHaveLength(2);
      expect(new Set(tried.map((r) => r.apiKey)).size).toBe(2);
    } finally {
      await h.t.request.delete(`/api/ai-providers/${anthropic.id}/credentials/${second.body.id}`).set(bearer(h.t.adminKey));
    }
  });
});
