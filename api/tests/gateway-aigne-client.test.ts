/** The official AIGNE client (`AIGNEHubChatModel` from @aigne/aigne-hub) against /api/v2. */
import { AIGNEHubChatModel } from '@aigne/aigne-hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

describe('AIGNEHubChatModel against /api/v2/chat', () => {
  let h: GatewayHarness;
  let apiKey: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-aigne-0000000001'],
      rates: [{ model: 'gpt-4o-mini' }, { model: 'text-embedding-3-small', type: 'embedding' }, { model: 'gpt-image-1', type: 'imageGeneration', inputRate: '0', outputRate: '0.04' }],
    });
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-0000000001'], rates: [{ model: 'claude-sonnet-4-5' }] });
    apiKey = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'aigne app' })).body.key;
  });
  afterAll(() => h.close());

  // `aignehub/<provider>/<model>` makes the client talk to a hub rather than to the provider.
  const model = (m: string) => new AIGNEHubChatModel({ baseURL: h.url, apiKey, model: `aignehub/${m}` });

  it('discovers the hub through __blocklet__.js and answers a non-streamed call', async () => {
    const out = await model('openai/gpt-4o-mini').invoke({ messages: [{ role: 'user', content: 'hello from aigne' }] });
    expect(out.text).toBe('Echo: hello from aigne');
    expect(out.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
    const discovery = await fetch(`${h.url}/__blocklet__.js?type=json`).then((r) => r.json());
    expect(discovery.componentMountPoints[0].did).toBe('z8ia3xzq2tMq8CRHfaXj1BTYJyYnEcHbqP8cJ');
    const rows = await modelCallRows(h.t);
    expect(rows.at(-1)).toMatchObject({ model: 'openai/gpt-4o-mini', status: 'success', inputTokens: 3, outputTokens: 4 });
  });

  it('streams, and names the calling app from x-aigne-hub-client-did', async () => {
    const stream = await model('anthropic/claude-sonnet-4-5').invoke({ messages: [{ role: 'user', content: 'stream through anthropic' }] }, { streaming: true });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream as unknown as AsyncIterable<{ delta?: { text?: { text?: string }; json?: { usage?: unknown } } }>) {
      const delta = chunk.delta;
      if (delta?.text?.text) text += delta.text.text;
      if (delta?.json?.usage) usage = delta.json.usage;
    }
    expect(text).toBe('Echo: stream through anthropic');
    expect(usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
    const rows = await modelCallRows(h.t);
    expect(rows.at(-1)).toMatchObject({ model: 'anthropic/claude-sonnet-4-5', status: 'success', stream: 1 });
    expect(rows.at(-1)!.appId).toBeTruthy();
    const upstream = h.upstream.requests.at(-1)!;
    expect(upstream.protocol).toBe('anthropic');
    expect(upstream.model).toBe('claude-sonnet-4-5');
  });

  it('keeps the relay free of its own observer (no spans written outside the hub)', async () => {
    const home = process.env.HOME ?? '';
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const before = existsSync(join(home, '.aigne/observability/observer.db'));
    await model('openai/gpt-4o-mini').invoke({ messages: [{ role: 'user', content: 'private words' }] });
    expect(existsSync(join(home, '.aigne/observability/observer.db'))).toBe(before);
    expect(process.env.AIGNE_OBSERVABILITY_DISABLED).toBeUndefined();
  });

  it('lists models in the exact shape getModels() validates', async () => {
    process.env.AIGNE_HUB_API_URL = h.url;
    const models = await model('openai/gpt-4o-mini').models();
    delete process.env.AIGNE_HUB_API_URL;
    expect(models.map((m) => `${m.provider}/${m.model}`)).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']));
    expect(models[0]).toMatchObject({ type: 'chat', providerDisplayName: expect.any(String), input_credits_per_token: '0.000001', status: { available: true } });
  });

  it('reports errors through the client', async () => {
    await expect(model('openai/gpt-4o-mini').invoke({ messages: [] })).rejects.toThrow();
    const bad = new AIGNEHubChatModel({ baseURL: h.url, apiKey: 'aigne_nope', model: 'aignehub/openai/gpt-4o-mini' });
    await expect(bad.invoke({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/access key|401/i);
  });

  it('answers /api/v2/status', async () => {
    const ok = await h.t.request.get('/api/v2/status?model=openai/gpt-4o-mini').set(bearer(apiKey));
    expect(ok.body).toEqual({ available: true });
    const no = await h.t.request.get('/api/v2/status?model=nobody/x').set(bearer(apiKey));
    expect(no.body).toMatchObject({ available: false, code: 'model_not_found' });
  });

  it('serves the hub chat format on /api/v2/chat/completions', async () => {
    const res = await h.t.request.post('/api/v2/chat/completions').set(bearer(apiKey)).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hub format' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'assistant', text: 'Echo: hub format', content: 'Echo: hub format', usage: { inputTokens: 2, outputTokens: 3 } });
    const streamed = await h.t.request
      .post('/api/v2/chat/completions')
      .set(bearer(apiKey))
      .set('Accept', 'text/event-stream')
      .send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hub stream' }] });
    expect(streamed.headers['content-type']).toMatch(/text\/event-stream/);
    const events = streamed.text.split('\n\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(events.filter((e) => e.delta).map((e) => e.delta.content).join('')).toBe('Echo: hub stream');
    expect(events.at(-1)).toEqual({ usage: { inputTokens: 2, outputTokens: 3 } });
  });

  it('serves AIGNE embeddings and images on /api/v2', async () => {
    const emb = await h.t.request.post('/api/v2/embeddings').set(bearer(apiKey)).send({ model: 'openai/text-embedding-3-small', input: ['alpha beta', 'gamma'] });
    expect(emb.status).toBe(200);
    expect(emb.body.embeddings).toHaveLength(2);
    expect(emb.body.usage.inputTokens).toBeGreaterThan(0);
    const img = await h.t.request.post('/api/v2/image').set(bearer(apiKey)).send({ prompt: 'a red square', modelOptions: { model: 'openai/gpt-image-1' } });
    expect(img.status).toBe(200);
    expect(img.body.images[0]).toMatchObject({ type: 'file', mimeType: 'image/png' });
    expect(img.body.images[0].data).toMatch(/^iVBOR/);
    const rows = await modelCallRows(h.t);
    expect(rows.slice(-2).map((r) => [r.type, r.status])).toEqual([['embedding', 'success'], ['imageGeneration', 'success']]);
    const bad = await h.t.request.post('/api/v2/image').set(bearer(apiKey)).send({ prompt: 'no model' });
    expect(bad.status).toBe(400);
  });

  it('answers the public model list under both paths, filtered by type', async () => {
    const a = await h.t.request.get('/api/ai/models?type=embedding');
    const b = await h.t.request.get('/api/ai-providers/models?type=embedding');
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect(a.body.map((m: { model: string }) => m.model)).toEqual(['text-embedding-3-small']);
    expect((await h.t.request.get('/api/ai/models?type=hologram')).status).toBe(400);
    // AIGNEHubVideoModel.models() asks for video models.
    expect((await h.t.request.get('/api/ai/models?type=video')).body).toEqual([]);
  });
});
