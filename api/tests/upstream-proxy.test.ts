/**
 * Outbound through a proxy: with HTTP_PROXY set, every kind of upstream call (the same-wire relay's
 * pool, the OpenAI, Anthropic and Gemini SDKs' fetches, the AWS SDK's requests, Ideogram's class on
 * Node's own fetch) goes through a real forwarding proxy started here; NO_PROXY sends them direct.
 * Each provider gets its own fake upstream, so the proxy's log names the provider whose call it carried.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { proxyFor } from '../providers/shared/upstream-agent.js';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

interface ForwardingProxy {
  url: string;
  /** `host:port` of every tunnel (CONNECT) and every forwarded request. */
  targets: string[];
  close(): Promise<void>;
}

async function startProxy(): Promise<ForwardingProxy> {
  const server = createProxy(http.createServer());
  const targets: string[] = [];
  server.on('connect', (req: http.IncomingMessage) => targets.push(String(req.url)));
  server.on('request', (req: http.IncomingMessage) => targets.push(new URL(String(req.url)).host));
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PROVIDERS = ['openai', 'anthropic', 'google', 'bedrock', 'ideogram'] as const;
type ProviderName = (typeof PROVIDERS)[number];

const CALLS: Array<{ name: string; provider: ProviderName; path: string; body: object }> = [
  { name: 'OpenAI chat (the same-wire relay)', provider: 'openai', path: '/api/v1/chat/completions', body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'OpenAI embeddings (the openai SDK)', provider: 'openai', path: '/api/v1/embeddings', body: { model: 'openai/text-embedding-3-small', input: ['one two'], encoding_format: 'float' } },
  { name: 'Anthropic chat (its SDK)', provider: 'anthropic', path: '/api/v1/chat/completions', body: { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'Gemini chat (@google/genai)', provider: 'google', path: '/api/v1/chat/completions', body: { model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'Bedrock chat (the AWS SDK)', provider: 'bedrock', path: '/api/v1/chat/completions', body: { model: 'bedrock/anthropic.claude-3-haiku', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'Ideogram image (Node’s fetch)', provider: 'ideogram', path: '/api/v1/images/generations', body: { model: 'ideogram/ideogram-v3', prompt: 'a red circle', response_format: 'b64_json' } },
];

async function hubWithUpstreams(env: Record<string, string>): Promise<{ h: GatewayHarness; upstreams: Record<ProviderName, FakeUpstream> }> {
  const h = await startGatewayHarness(env);
  const upstreams = {} as Record<ProviderName, FakeUpstream>;
  for (const name of PROVIDERS) {
    const upstream = await startFakeUpstream();
    upstreams[name] = upstream;
    await addProvider(h.t, { name, baseUrl: name === 'openai' ? `${upstream.url}/v1` : upstream.url, keys: [`${name}-upstream-key-00000001`] });
  }
  return { h, upstreams };
}

const hostOf = (upstream: FakeUpstream) => new URL(upstream.url).host;

describe('upstream calls through HTTP_PROXY', () => {
  let proxy: ForwardingProxy;
  let h: GatewayHarness;
  let upstreams: Record<ProviderName, FakeUpstream>;

  beforeAll(async () => {
    proxy = await startProxy();
    ({ h, upstreams } = await hubWithUpstreams({ HTTP_PROXY: proxy.url }));
  });
  afterAll(async () => {
    await h?.close();
    for (const upstream of Object.values(upstreams ?? {})) await upstream.close();
    await proxy?.close();
  });

  it.each(CALLS)('$name goes through the proxy', async ({ provider, path, body }) => {
    const upstream = upstreams[provider];
    const before = upstream.requests.length;
    const res = await h.t.request.post(path).set(bearer(h.t.adminKey)).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(upstream.requests.length).toBeGreaterThan(before);
    expect(proxy.targets).toContain(hostOf(upstream));
  });
});

describe('NO_PROXY', () => {
  let proxy: ForwardingProxy;
  let h: GatewayHarness | undefined;
  let upstreams: Record<ProviderName, FakeUpstream> | undefined;

  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterEach(async () => {
    await h?.close();
    for (const upstream of Object.values(upstreams ?? {})) await upstream.close();
    h = undefined;
    upstreams = undefined;
  });
  afterAll(() => proxy?.close());

  it('sends calls to the hosts it lists straight to them, the others still through the proxy', async () => {
    ({ h, upstreams } = await hubWithUpstreams({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost, 127.0.0.1' }));
    for (const call of CALLS) {
      const res = await h.t.request.post(call.path).set(bearer(h.t.adminKey)).send(call.body);
      expect(res.status, `${call.name}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    expect(proxy.targets.filter((target) => target.startsWith('127.0.0.1:'))).toEqual([]);
    // What the AWS SDK's requests decide by: the same rules as undici's proxy agent.
    expect(proxyFor('https://bedrock-runtime.us-east-1.amazonaws.com')).toBe(proxy.url);
    expect(proxyFor('http://127.0.0.1:8080/v1')).toBeUndefined();
    expect(proxyFor('http://api.localhost:80')).toBeUndefined();
  });

  it('without any proxy setting, connects directly', async () => {
    const seen = proxy.targets.length;
    ({ h, upstreams } = await hubWithUpstreams({}));
    const res = await h.t.request.post(CALLS[0]!.path).set(bearer(h.t.adminKey)).send(CALLS[0]!.body);
    expect(res.status).toBe(200);
    expect(proxy.targets.length).toBe(seen);
    expect(proxyFor('https://api.openai.com/v1')).toBeUndefined();
  });
});
