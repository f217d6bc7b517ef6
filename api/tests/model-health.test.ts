/**
 * Model health against fake upstreams that fail: a check is one minimal call per model with a
 * rate, through the gateway's attempt path (a refused credential is disabled as for a caller's
 * call); `/api/ai/models` follows the results; a model that starts failing and a credential that is
 * disabled or restored are told once; checks are billed to no one and leave no call rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addProvider, modelCallRows, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Check = { provider: string; model: string; ok: boolean; error: string | null; latencyMs: number | null; lastCheckedAt: string; checks24h: number; failures24h: number };

describe('model health checks', () => {
  it('flips a failing model to unavailable, tells of it once, and flips it back when it answers', async () => {
    h = await startGatewayHarness({ CREDIT_BASED_BILLING_ENABLED: 'true' });
    const { t, upstream } = h;
    const admin = bearer(t.adminKey);
    await addProvider(t, {
      name: 'openai',
      baseUrl: `${upstream.url}/v1`,
      keys: ['sk-health-openai-1'],
      rates: [{ model: 'gpt-4o-mini' }, { model: 'text-embedding-3-small', type: 'embedding' }, { model: 'dall-e-3', type: 'imageGeneration' }],
    });
    const check = async () => {
      const res = await t.request.post('/api/ai-providers/health/check').set(admin);
      expect(res.status).toBe(200);
      await t.hub.notifications.events.settled();
      return Object.fromEntries((res.body.models as Check[]).map((m) => [m.model, m]));
    };
    const available = async () => {
      const res = await t.request.get('/api/ai/models');
      return Object.fromEntries((res.body as { model: string; status: { available: boolean } }[]).map((m) => [m.model, m.status.available]));
    };
    const told = async (type: string) => (await t.request.get(`/api/notifications?type=${type}`).set(admin)).body.data as { key: string; data: Record<string, unknown> }[];

    let results = await check();
    expect(Object.keys(results).sort()).toEqual(['gpt-4o-mini', 'text-embedding-3-small']); // images only with MODEL_HEALTH_IMAGES
    expect(results['gpt-4o-mini']).toMatchObject({ ok: true, error: null, checks24h: 1, failures24h: 0 });
    expect(typeof results['gpt-4o-mini']!.latencyMs).toBe('number');
    const chatProbe = upstream.requests.find((r) => r.path.endsWith('/chat/completions'))!;
    expect(chatProbe.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1 });
    expect(upstream.requests.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(1);
    expect(upstream.requests.some((r) => r.path.includes('/images/'))).toBe(false);
    expect(await available()).toMatchObject({ 'gpt-4o-mini': true, 'text-embedding-3-small': true });

    // The provider now answers 404 for the chat model: unavailable, told once however often checked.
    upstream.enqueue({ status: 404, match: { model: 'gpt-4o-mini' }, times: Infinity });
    results = await check();
    expect(results['gpt-4o-mini']).toMatchObject({ ok: false, checks24h: 2, failures24h: 1 });
    expect(results['gpt-4o-mini']!.error).toMatch(/404/);
    expect(results['text-embedding-3-small']).toMatchObject({ ok: true });
    expect(await available()).toMatchObject({ 'gpt-4o-mini': false, 'text-embedding-3-small': true });
    await check();
    const unhealthy = await told('model.unhealthy');
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]!.data).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', type: 'chatCompletion' });

    // It answers again: available at the next check; failing later is a new episode, told again.
    upstream.reset();
    results = await check();
    expect(results['gpt-4o-mini']).toMatchObject({ ok: true, checks24h: 4, failures24h: 2 });
    expect(await available()).toMatchObject({ 'gpt-4o-mini': true });
    upstream.enqueue({ status: 404, match: { model: 'gpt-4o-mini' }, times: 1 });
    await check();
    expect(await told('model.unhealthy')).toHaveLength(2);

    // Checks are no one's calls: no ModelCall rows, no charges, no usage.
    expect(await modelCallRows(t)).toEqual([]);
    const [usage] = await t.hub.sequelize.query('SELECT COUNT(*) AS n FROM usages');
    const [charges] = await t.hub.sequelize.query(`SELECT COUNT(*) AS n FROM credit_transactions WHERE "type" = 'charge'`);
    expect(Number((usage as { n: number }[])[0]!.n)).toBe(0);
    expect(Number((charges as { n: number }[])[0]!.n)).toBe(0);

    const view = await t.request.get('/api/ai-providers/health').set(admin);
    expect(view.body).toMatchObject({ intervalMin: 0, nextRunAt: null });
    expect(view.body.models).toHaveLength(2);
    expect((await t.request.post('/api/ai-providers/health/check')).status).toBe(401);
  });

  it('disables a refused credential as a call would, tells of it, and tells when it is back', async () => {
    h = await startGatewayHarness();
    const { t, upstream } = h;
    const admin = bearer(t.adminKey);
    const anthropic = await addProvider(t, { name: 'anthropic', baseUrl: upstream.url, keys: ['sk-ant-refused-0001', 'sk-ant-working-0002'], rates: [{ model: 'claude-3-5-haiku-latest' }] });
    upstream.enqueue({ status: 401, match: { apiKey: 'sk-ant-refused-0001' }, times: Infinity });

    // Both keys are tried in turn: the refused one is disabled, the other answers.
    for (let i = 0; i < 2; i++) expect((await t.request.post('/api/ai-providers/health/check').set(admin)).body.models[0]).toMatchObject({ ok: true });
    await t.hub.notifications.events.settled();
    const credentials = (await t.request.get(`/api/ai-providers/${anthropic.id}/credentials`).set(admin)).body as { id: string; status: string }[];
    const refused = credentials.find((c) => c.id === anthropic.credentialIds[0])!;
    expect(refused.status).toBe('disabled');
    let list = (await t.request.get('/api/notifications').set(admin)).body;
    expect(list.data.map((n: { type: string }) => n.type)).toEqual(['credential.disabled']);
    expect(list.data[0].data).toMatchObject({ credentialId: refused.id, credentialName: 'key-0', provider: 'anthropic' });
    expect(JSON.stringify(list.data)).not.toContain('sk-ant-');
    expect(list.unread).toBe(1);

    // The provider takes the key again: the admin's test puts it back, and that is told.
    upstream.reset();
    expect((await t.request.post(`/api/ai-providers/${anthropic.id}/credentials/${refused.id}/test`).set(admin)).body).toEqual({ ok: true });
    await t.hub.notifications.events.settled();
    list = (await t.request.get('/api/notifications').set(admin)).body;
    expect(list.data.map((n: { type: string }) => n.type)).toEqual(['credential.restored', 'credential.disabled']);
    // Testing a working key again is no news.
    await t.request.post(`/api/ai-providers/${anthropic.id}/credentials/${refused.id}/test`).set(admin);
    await t.hub.notifications.events.settled();
    expect((await t.request.get('/api/notifications').set(admin)).body.data).toHaveLength(2);

    const read = await t.request.post('/api/notifications/read').set(admin).send({});
    expect(read.body).toEqual({ marked: 2 });
    expect((await t.request.get('/api/notifications?unread=true').set(admin)).body).toMatchObject({ data: [], unread: 0 });
  });

  it('keeps an unavailable provider\'s models unavailable, and the failure is the routing error', async () => {
    h = await startGatewayHarness();
    const { t, upstream } = h;
    const admin = bearer(t.adminKey);
    await addProvider(t, { name: 'openai', baseUrl: `${upstream.url}/v1`, keys: ['sk-only-key-000000001'], rates: [{ model: 'gpt-4o-mini' }] });
    upstream.enqueue({ status: 401, times: Infinity });
    const first = await t.request.post('/api/ai-providers/health/check').set(admin);
    expect(first.body.models[0]).toMatchObject({ ok: false });
    // The only key is disabled now: the next check cannot even start.
    const second = await t.request.post('/api/ai-providers/health/check').set(admin);
    expect(second.body.models[0].error).toMatch(/disabled|no usable credential/);
    await waitFor(async () => (await t.request.get('/api/notifications?type=model.unhealthy').set(admin)).body.data.length === 1);
  });
});
