/** A hub with two OpenAI keys (rank 1) and a DeepSeek key (rank 2) on the fake upstream, for failover and relay tests. */
import http from 'node:http';
import { addProvider, startGatewayHarness, type GatewayHarness } from './gateway.js';
import { bearer } from './hub.js';

export const KEY_A = 'sk-upstream-key-aaaaaaaaaaaa';
export const KEY_B = 'sk-upstream-key-bbbbbbbbbbbb';
export const DS_KEY = 'sk-deepseek-key-cccccccccccc';

/** An OpenAI chat chunk event of `model`: a delta, or (with `usage`) the usage-only last chunk. */
export const chatChunk = (model: string, delta: object, usage: object | null = null) =>
  `data: ${JSON.stringify({ id: `chatcmpl-${model}`, object: 'chat.completion.chunk', created: 1, model, choices: usage ? [] : [{ index: 0, delta }], usage })}\n\n`;

/** Runs `fn` with a server of the test's own on loopback (an upstream, say); closes it (and its connections) afterwards. */
export async function withServer(handler: http.RequestListener, fn: (origin: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

export interface ResilienceHub {
  h: GatewayHarness;
  openai: { id: string; credentialIds: string[] };
  /** POST /api/v1/chat/completions as the admin, with a user message unless `body` has its own. */
  chat(body: Record<string, unknown>): ReturnType<GatewayHarness['t']['request']['post']>;
  /** Clears the fake upstream's faults and gives every OpenAI credential a clean slate. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startResilienceHub(): Promise<ResilienceHub> {
  const h = await startGatewayHarness({ UPSTREAM_TIMEOUT_MS: '1500' });
  const admin = bearer(h.t.adminKey);
  const openai = await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: [KEY_A, KEY_B], rank: 1, rates: [{ model: 'shared-model' }, { model: 'gpt-4o-mini' }] });
  await addProvider(h.t, { name: 'deepseek', baseUrl: `${h.upstream.url}/v1`, keys: [DS_KEY], rank: 2, rates: [{ model: 'shared-model' }] });
  return {
    h,
    openai,
    chat: (body) => h.t.request.post('/api/v1/chat/completions').set(admin).send({ messages: [{ role: 'user', content: 'hi there' }], ...body }),
    async reset() {
      h.upstream.reset();
      for (const id of openai.credentialIds) await h.t.request.put(`/api/ai-providers/${openai.id}/credentials/${id}`).set(admin).send({ enabled: true });
    },
    close: () => h.close(),
  };
}
