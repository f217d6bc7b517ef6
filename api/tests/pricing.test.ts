/**
 * Prices from the maintained table, end to end through the HTTP API: the catalog, rates imported
 * with a margin (created, updated, unchanged, skipped), the rate check's flags and its
 * rate.below_cost notification (once per episode), and the public price list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addProvider } from './helpers/gateway.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

let t: TestHub | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const admin = () => bearer(t!.adminKey);
const member = async () => (await t!.request.post('/api/access-keys').set(admin()).send({ name: 'member', role: 'member' })).body.key as string;

describe('the price catalog', () => {
  it('lists the table\'s USD prices per provider with the table\'s source, licence and date', async () => {
    t = await startTestHub();
    const res = await t.request.get('/api/ai-providers/price-catalog?provider=openai').set(admin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ currency: 'USD', date: '2026-09-23', source: { name: '@pydantic/genai-prices', version: '0.1.8', license: 'MIT' } });
    expect(res.body.providers).toHaveLength(1);
    const mini = res.body.providers[0].models.find((m: { model: string }) => m.model === 'gpt-4o-mini');
    expect(mini).toMatchObject({ type: 'chatCompletion', inputPer1M: '0.15', outputPer1M: '0.6', cacheReadPer1M: '0.075' });
    const whisper = res.body.providers[0].models.find((m: { model: string }) => m.model === 'whisper-1');
    expect(whisper).toMatchObject({ type: 'audio', perSecond: '0.0001' });

    const all = await t.request.get('/api/ai-providers/price-catalog').set(admin());
    expect(all.body.providers.map((p: { provider: string }) => p.provider)).toEqual(['openai', 'anthropic', 'google', 'deepseek', 'xai', 'openrouter', 'bedrock']);
    expect((await t.request.get('/api/ai-providers/price-catalog?provider=ollama').set(admin())).status).toBe(400);
    expect((await t.request.get('/api/ai-providers/price-catalog')).status).toBe(401);
    expect((await t.request.get('/api/ai-providers/price-catalog').set(bearer(await member()))).status).toBe(403);
  });
});

describe('importing rates from the catalog', () => {
  it('creates, updates and leaves rates as the arithmetic says, and skips what it cannot price', async () => {
    t = await startTestHub();
    const { id } = await addProvider(t, { name: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const url = `/api/ai-providers/${id}/model-rates/import`;
    const first = await t.request
      .post(url)
      .set(admin())
      .send({ models: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'text-embedding-3-small', 'whisper-1', 'gpt-image-1', 'no-such-model'], margin: '0.2' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ margin: '0.2', creditsPerUsd: '1', updated: [], unchanged: [] });
    const created = Object.fromEntries(first.body.created.map((r: { model: string }) => [r.model, r]));
    // 0.15 and 0.6 USD per 1M tokens, +20 %, at 1 credit per USD.
    expect(created['gpt-4o-mini']).toMatchObject({ type: 'chatCompletion', inputRate: '0.00000018', outputRate: '0.00000072', cacheReadRate: '0.00000009', cacheWriteRate: null, unitCosts: { input: '0.00000015', output: '0.0000006' } });
    expect(created['gpt-4o-mini-2024-07-18']).toMatchObject({ inputRate: '0.00000018', outputRate: '0.00000072' });
    expect(created['text-embedding-3-small']).toMatchObject({ type: 'embedding', inputRate: '0.000000024', outputRate: '0' });
    expect(first.body.skipped.map((s: { model: string }) => s.model).sort()).toEqual(['gpt-image-1', 'no-such-model', 'whisper-1']);
    expect(first.body.skipped.find((s: { model: string }) => s.model === 'no-such-model').reason).toBe('not in the price table');

    const again = await t.request.post(url).set(admin()).send({ models: ['gpt-4o-mini'], margin: '0.2' });
    expect(again.body).toMatchObject({ created: [], updated: [], unchanged: ['gpt-4o-mini'] });

    const repriced = await t.request.post(url).set(admin()).send({ models: ['gpt-4o-mini'], margin: '0.5', creditsPerUsd: '1000' });
    expect(repriced.body.updated).toHaveLength(1);
    expect(repriced.body.updated[0]).toMatchObject({ previous: { inputRate: '0.00000018', outputRate: '0.00000072' }, rate: { id: created['gpt-4o-mini'].id, inputRate: '0.000225', outputRate: '0.0009', cacheReadRate: '0.0001125' } });
    const rates = await t.request.get(`/api/ai-providers/${id}/model-rates`).set(admin());
    expect(rates.body.find((r: { model: string }) => r.model === 'gpt-4o-mini')).toMatchObject({ inputRate: '0.000225', outputRate: '0.0009' });
    // The gateway serves the new rate at once: the public list shows it per 1M tokens.
    const listed = await t.request.get('/api/pricing');
    expect(listed.body.find((p: { model: string }) => p.model === 'gpt-4o-mini')).toMatchObject({ inputCreditsPer1M: '225', outputCreditsPer1M: '900' });

    const all = await t.request.post(url).set(admin()).send({ models: 'all', margin: '0' });
    expect(all.status).toBe(200);
    expect(all.body.created.length).toBeGreaterThan(30);
    expect(all.body.created.every((r: { type: string }) => r.type === 'chatCompletion' || r.type === 'embedding')).toBe(true);
    expect(all.body.updated.map((u: { rate: { model: string } }) => u.rate.model)).toEqual(expect.arrayContaining(['gpt-4o-mini', 'text-embedding-3-small']));
  });

  it('refuses bad margins, credits per USD and providers the table does not price', async () => {
    t = await startTestHub();
    const { id } = await addProvider(t, { name: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const url = `/api/ai-providers/${id}/model-rates/import`;
    for (const body of [{ models: ['gpt-4o'], margin: '-0.1' }, { models: ['gpt-4o'], margin: 'lots' }, { models: ['gpt-4o'], creditsPerUsd: '0' }, { models: [] }, { models: 'some' }, { models: ['gpt-4o'], extra: 1 }]) {
      const res = await t.request.post(url).set(admin()).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
    const ollama = await addProvider(t, { name: 'ollama', baseUrl: 'http://127.0.0.1:9/v1' });
    const res = await t.request.post(`/api/ai-providers/${ollama.id}/model-rates/import`).set(admin()).send({ models: 'all' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('not_in_price_table');
    expect((await t.request.post('/api/ai-providers/nope/model-rates/import').set(admin()).send({ models: 'all' })).status).toBe(404);
  });
});

describe('the rate check', () => {
  it('flags rates below cost or drifted, and tells of each rate below cost once', async () => {
    t = await startTestHub();
    const openai = await addProvider(t, {
      name: 'openai',
      baseUrl: 'http://127.0.0.1:9/v1',
      rates: [
        { model: 'gpt-4o', inputRate: '0.000001', outputRate: '0.00001' }, // input 60 % under 2.5 USD/1M
        { model: 'gpt-4o-mini', inputRate: '0.00000018', outputRate: '0.00000072' }, // +20 %: within the drift
        { model: 'gpt-4.1', inputRate: '0.000003', outputRate: '0.000012' }, // +50 %: drifted above
        { model: 'my-own-finetune', inputRate: '0.000001', outputRate: '0.000001' },
      ],
    });
    // Built on an old cost: the table's 2 USD/1M now is 100 % above the 1 USD/1M the rate was priced from.
    const rates = (await t.request.get(`/api/ai-providers/${openai.id}/model-rates`).set(admin())).body as { id: string; model: string }[];
    const idOf = (model: string) => rates.find((r) => r.model === model)!.id;
    await t.request.put(`/api/ai-providers/${openai.id}/model-rates/${idOf('gpt-4.1')}`).set(admin()).send({ unitCosts: { input: '0.000001', output: '0.000008' } });
    const anthropic = await addProvider(t, { name: 'anthropic', baseUrl: 'http://127.0.0.1:9', rates: [{ model: 'claude-sonnet-4-5', inputRate: '0.0000033', outputRate: '0.0000165' }] });

    const check = await t.request.get('/api/ai-providers/rate-check').set(admin());
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ creditsPerUsd: '1', driftPercent: 20, checked: 4 });
    expect(check.body.unpriced).toEqual([expect.objectContaining({ model: 'my-own-finetune', provider: 'openai' })]);
    const flagged = Object.fromEntries(check.body.flagged.map((f: { model: string }) => [f.model, f]));
    expect(Object.keys(flagged).sort()).toEqual(['claude-sonnet-4-5', 'gpt-4.1', 'gpt-4o']);
    expect(flagged['gpt-4o'].flags).toEqual(['below_cost', 'drift']);
    expect(flagged['gpt-4o'].sides.find((s: { side: string }) => s.side === 'input')).toMatchObject({ rate: '0.000001', cost: '0.0000025', pricePer1M: '2.5', marginPercent: '-60', flags: ['below_cost', 'drift'] });
    expect(flagged['gpt-4o'].sides.find((s: { side: string }) => s.side === 'output')).toMatchObject({ marginPercent: '0', flags: [] });
    expect(flagged['gpt-4.1'].flags).toEqual(['drift']);
    expect(flagged['gpt-4.1'].sides.find((s: { side: string }) => s.side === 'input')).toMatchObject({ marginPercent: '50', flags: ['drift'] });
    // Cache writes are charged at the input rate (3.3) when the rate has none: under their 3.75 cost.
    expect(flagged['claude-sonnet-4-5']).toMatchObject({ providerId: anthropic.id, flags: ['below_cost'], sides: expect.arrayContaining([expect.objectContaining({ side: 'cacheWrite', rate: '0.0000033', cost: '0.00000375', flags: ['below_cost'] })]) });

    const belowCost = async () => {
      await t!.hub.notifications.events.settled();
      const list = await t!.request.get('/api/notifications?type=rate.below_cost').set(admin());
      return list.body.data as { data: { model: string } }[];
    };
    expect((await belowCost()).map((n) => n.data.model).sort()).toEqual(['claude-sonnet-4-5', 'gpt-4o']);
    // Checked again: nothing new to tell.
    await t.request.get('/api/ai-providers/rate-check').set(admin());
    expect(await belowCost()).toHaveLength(2);
    // Fixed, then below cost again: a new episode, told again.
    await t.request.put(`/api/ai-providers/${openai.id}/model-rates/${idOf('gpt-4o')}`).set(admin()).send({ inputRate: '0.000003' });
    await t.request.get('/api/ai-providers/rate-check').set(admin());
    expect(await belowCost()).toHaveLength(2);
    await t.request.put(`/api/ai-providers/${openai.id}/model-rates/${idOf('gpt-4o')}`).set(admin()).send({ inputRate: '0.000002' });
    await t.request.get(`/api/ai-providers/rate-check?provider=${openai.id}`).set(admin());
    expect((await belowCost()).map((n) => n.data.model).sort()).toEqual(['claude-sonnet-4-5', 'gpt-4o', 'gpt-4o']);

    // At 2 credits per USD every cost doubles: gpt-4o-mini's +20 % is now below cost.
    const doubled = await t.request.get('/api/ai-providers/rate-check?creditsPerUsd=2&provider=openai').set(admin());
    expect(doubled.body.flagged.map((f: { model: string }) => f.model)).toContain('gpt-4o-mini');
    expect((await t.request.get('/api/ai-providers/rate-check?creditsPerUsd=-1').set(admin())).status).toBe(400);
  });
});

describe('the public price list', () => {
  it('lists every served model in credits per 1M tokens, per image and per second, without a key', async () => {
    t = await startTestHub();
    await addProvider(t, {
      name: 'openai',
      baseUrl: 'http://127.0.0.1:9/v1',
      rates: [
        { model: 'gpt-4o-mini', inputRate: '0.00000018', outputRate: '0.00000072' },
        { model: 'text-embedding-3-small', type: 'embedding', inputRate: '0.00000002', outputRate: '0' },
        { model: 'dall-e-3', type: 'imageGeneration', inputRate: '0', outputRate: '0.05' },
        { model: 'whisper-1', type: 'audio', inputRate: '0.0001', outputRate: '0' },
        { model: 'sora-2', type: 'video', inputRate: '0', outputRate: '0.1' },
      ],
    });
    const off = await addProvider(t, { name: 'deepseek', baseUrl: 'http://127.0.0.1:9/v1', rates: [{ model: 'deepseek-chat' }] });
    await t.request.put(`/api/ai-providers/${off.id}`).set(admin()).send({ enabled: false });

    const res = await t.request.get('/api/pricing');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { model: 'whisper-1', type: 'audio', provider: 'openai', providerDisplayName: 'OpenAI', inputCreditsPer1M: '0', outputCreditsPer1M: '0', creditsPerSecond: '0.0001' },
      { model: 'gpt-4o-mini', type: 'chat', provider: 'openai', providerDisplayName: 'OpenAI', inputCreditsPer1M: '0.18', outputCreditsPer1M: '0.72' },
      { model: 'text-embedding-3-small', type: 'embedding', provider: 'openai', providerDisplayName: 'OpenAI', inputCreditsPer1M: '0.02', outputCreditsPer1M: '0' },
      { model: 'dall-e-3', type: 'image', provider: 'openai', providerDisplayName: 'OpenAI', inputCreditsPer1M: '0', outputCreditsPer1M: '0', creditsPerImage: '0.05' },
      { model: 'sora-2', type: 'video', provider: 'openai', providerDisplayName: 'OpenAI', inputCreditsPer1M: '0', outputCreditsPer1M: '0', creditsPerSecond: '0.1' },
    ]);
  });

  it('needs a key with PUBLIC_PRICING=false', async () => {
    t = await startTestHub({ PUBLIC_PRICING: 'false' });
    expect((await t.request.get('/api/pricing')).status).toBe(401);
    expect((await t.request.get('/api/pricing').set(bearer(await member()))).status).toBe(200);
  });
});
