/** GET /metrics: access rules (API.md §8) and what model calls, errors and credentials add to it. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample, found by metric name and an exact label set (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[k!] = v!;
    const keys = Object.keys(labels);
    if (keys.length !== Object.keys(found).length || keys.some((k) => found[k] !== labels[k])) continue;
    return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  let h: GatewayHarness;
  let memberKey: string;
  let keyIds: string[];
  const scrape = async () => {
    const res = await h.t.request.get('/metrics').set(bearer(METRICS_TOKEN));
    expect(res.status).toBe(200);
    return res.text;
  };
  const chat = (body: Record<string, unknown>) =>
    fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(memberKey) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    h = await startGatewayHarness({ METRICS_TOKEN, TRACING_ENABLED: 'false' });
    ({ credentialIds: keyIds } = await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-metrics-key-0000000000000001', 'sk-metrics-key-0000000000000002'],
      rates: [{ model: 'gpt-4o-mini', inputRate: '0.5', outputRate: '1' }],
    }));
    const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'metrics member' });
    memberKey = key.body.key;
  });
  afterAll(() => h?.close());

  it('answers 401 without credentials or with a wrong token, 403 to a member, 200 to an admin key and to METRICS_TOKEN', async () => {
    const none = await h.t.request.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.body.error.type).toBe('authentication_error');
    expect((await h.t.request.get('/metrics').set(bearer('not-the-metrics-token'))).status).toBe(401);
    const member = await h.t.request.get('/metrics').set(bearer(memberKey));
    expect(member.status).toBe(403);
    expect(member.body.error.type).toBe('permission_denied');
    const admin = await h.t.request.get('/metrics').set(bearer(h.t.adminKey));
    expect(admin.status).toBe(200);
    expect(admin.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(admin.text).toContain('# TYPE aigne_hub_http_requests_total counter');
    expect(admin.text).toContain('process_cpu_seconds_total');
    const token = await h.t.request.get('/metrics').set(bearer(METRICS_TOKEN));
    expect(token.status).toBe(200);
  });

  it('counts a model call: requests by route and status, calls, tokens, credits and upstream histograms per provider', async () => {
    const before = await scrape();
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'count these words' }] });
    expect(res.status).toBe(200);
    await res.text();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);

    expect(delta('aigne_hub_http_requests_total', { method: 'POST', route: '/api/v1/chat/completions', status: '200' })).toBe(1);
    expect(delta('aigne_hub_model_calls_total', { provider: 'openai', type: 'chatCompletion', status: 'success' })).toBe(1);
    expect(delta('aigne_hub_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'chatCompletion', kind: 'input' })).toBe(3);
    expect(delta('aigne_hub_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'chatCompletion', kind: 'output' })).toBe(4);
    // 3 × 0.5 + 4 × 1 = 5.5 credits
    expect(delta('aigne_hub_credits_total', { provider: 'openai', model: 'gpt-4o-mini' })).toBeCloseTo(5.5, 9);
    expect(delta('aigne_hub_upstream_ttfb_seconds_count', { provider: 'openai' })).toBe(1);
    expect(delta('aigne_hub_upstream_latency_seconds_count', { provider: 'openai' })).toBe(1);
    expect(delta('aigne_hub_upstream_attempts_total', { provider: 'openai', outcome: 'success' })).toBe(1);
    expect(sample(after, 'aigne_hub_open_streams')).toBe(0);
    expect(sample(after, 'aigne_hub_inflight_calls')).toBe(0);
  });

  it('counts errors by type and failed attempts by outcome', async () => {
    const before = await scrape();
    const missing = await chat({ model: 'nosuch/model', messages: [{ role: 'user', content: 'x' }] });
    expect(missing.status).toBe(404);
    h.upstream.enqueue({ status: 500 });
    const retried = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] });
    expect(retried.status).toBe(200);
    const anonymous = await h.t.request.post('/api/v1/chat/completions').send({});
    expect(anonymous.status).toBe(401);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);

    expect(delta('aigne_hub_errors_total', { type: 'not_found' })).toBe(1);
    expect(delta('aigne_hub_errors_total', { type: 'authentication_error' })).toBe(1);
    expect(delta('aigne_hub_model_call_errors_total', { provider: 'none', code: 'model_not_found' })).toBe(1);
    expect(delta('aigne_hub_model_calls_total', { provider: 'none', type: 'chatCompletion', status: 'failed' })).toBe(1);
    expect(delta('aigne_hub_upstream_attempts_total', { provider: 'openai', outcome: 'http_500' })).toBe(1);
    expect(delta('aigne_hub_upstream_attempts_total', { provider: 'openai', outcome: 'success' })).toBe(1);
    expect(delta('aigne_hub_http_requests_total', { method: 'POST', route: '/api/v1/chat/completions', status: '401' })).toBe(1);
  });

  it('counts an attempt aborted when the client goes away before the upstream answers, and stops that attempt', async () => {
    const before = await scrape();
    const sent = h.upstream.requests.length;
    h.upstream.enqueue({ delayMs: 30_000 });
    const req = http.request(new URL(`${h.url}/api/v1/chat/completions`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(memberKey) },
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'slow answer' }] }));
    // The upstream has the request, so the attempt is under way when the client leaves.
    await waitFor(async () => h.upstream.requests.length > sent || undefined);
    req.destroy();
    // No upstream timeout is near (the default is minutes): only the client's leaving ends the attempt.
    const upstreamReq = await waitFor(async () => h.upstream.requests.slice(sent).find((r) => r.aborted));
    expect(upstreamReq.completed).toBe(false);
    const after = await waitFor(async () => {
      const text = await scrape();
      return sample(text, 'aigne_hub_model_calls_total', { provider: 'openai', type: 'chatCompletion', status: 'aborted' }) ? text : undefined;
    });
    const delta = (name: string, labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('aigne_hub_upstream_attempts_total', { provider: 'openai', outcome: 'aborted' })).toBe(1);
    expect(delta('aigne_hub_model_calls_total', { provider: 'openai', type: 'chatCompletion', status: 'aborted' })).toBe(1);
    expect(delta('aigne_hub_model_call_errors_total', { provider: 'openai', code: 'client_closed_request' })).toBe(1);
  });

  it('shows an open stream while it streams, and the gateway overhead of streamed calls', async () => {
    const overheadBefore = sample(await scrape(), 'aigne_hub_gateway_overhead_seconds_count', { type: 'chatCompletion' }) ?? 0;
    h.upstream.setDefaults({ chunkDelayMs: 40, chunks: 30 });
    try {
      const res = await chat({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'slow stream' }] });
      const reader = res.body!.getReader();
      await reader.read();
      expect(sample(await scrape(), 'aigne_hub_open_streams')).toBe(1);
      while (!(await reader.read()).done);
      await waitFor(async () => sample(await scrape(), 'aigne_hub_open_streams') === 0);
      expect(sample(await scrape(), 'aigne_hub_gateway_overhead_seconds_count', { type: 'chatCompletion' })).toBe(overheadBefore + 1);
    } finally {
      h.upstream.setDefaults({ chunkDelayMs: 0, chunks: undefined });
    }
  });

  it('reports credential states by provider', async () => {
    h.upstream.enqueue({ status: 401, match: { apiKey: 'sk-metrics-key-0000000000000001' } });
    h.upstream.enqueue({ status: 401, match: { apiKey: 'sk-metrics-key-0000000000000002' } });
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'bad keys' }] });
    expect(res.status).toBe(502);
    const text = await waitFor(async () => {
      const t = await scrape();
      return sample(t, 'aigne_hub_credentials', { provider: 'openai', state: 'disabled' }) === 2 && t;
    });
    expect(sample(text, 'aigne_hub_credentials', { provider: 'openai', state: 'active' })).toBe(0);
    expect(sample(text, 'aigne_hub_credentials', { provider: 'openai', state: 'cooldown' })).toBe(0);
    expect(keyIds).toHaveLength(2);
  });
});
