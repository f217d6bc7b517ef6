/**
 * The routing table on a real SQLite file: which providers serve a model string, in what order,
 * with which credentials (stored, from the environment, or none), how long a snapshot is trusted,
 * and what a reload keeps of each credential's live state.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { credentialRow, providerRow, rateRow } from '../../tests/helpers/routing-rows.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import type { Models } from '../../store/models/index.js';
import { RoutingTable, targetOf } from './routing.js';

const openStore = tempStores();

afterEach(() => {
  vi.useRealTimers();
});

async function setup(options: { env?: Record<string, string>; billingEnabled?: boolean; ttlMs?: number } = {}) {
  const { models } = await openStore();
  let loads = 0;
  // A load reads its three tables at once; it is done when the last of them has been read.
  const reads = [0, 0, 0];
  models.AiProvider.addHook('beforeFind', () => {
    loads += 1;
  });
  [models.AiProvider, models.AiCredential, models.AiModelRate].forEach((model, i) =>
    (model as typeof models.AiProvider).addHook('afterFind', () => {
      reads[i]! += 1;
    }),
  );
  const table = new RoutingTable({
    models,
    env: options.env ?? {},
    // A credential "sealed with another secret" is one whose value does not parse.
    openCredential: (row) => JSON.parse(row.encryptedValue) as Record<string, string>,
    billingEnabled: options.billingEnabled ?? false,
    ttlMs: options.ttlMs,
  });
  /** Resolves once `count` loads have read their tables and the table has taken the last one. */
  const loaded = async (count: number) => {
    const end = performance.now() + 5000;
    while (Math.min(...reads) < count) {
      if (performance.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
  };
  return { models, table, loads: () => loads, loaded };
}

const provider = providerRow;
const credential = credentialRow;
const rate = (models: Models, providerId: string, model: string, type = 'chatCompletion') => rateRow(models, providerId, model, type, { modelMetadata: { maxOutputTokens: 9 } });

describe('routing', () => {
  it('serves a pinned model from its provider with the rate of the model, by either name', async () => {
    const { models, table } = await setup({ billingEnabled: true });
    const p = await provider(models, 'openai', { baseUrl: 'http://up.invalid/v1', region: 'eu', config: { headers: { a: 'b' } } });
    const c = await credential(models, p.id, { api_key: 'k-1' });
    await rate(models, p.id, 'gpt-4o-mini');
    await rate(models, p.id, 'openai/gpt-x');
    const [cand] = await table.resolve('openai/gpt-4o-mini', 'chatCompletion');
    expect(cand).toMatchObject({ upstreamModel: 'gpt-4o-mini', rate: { model: 'gpt-4o-mini', inputRate: '1', outputRate: '2', modelMetadata: { maxOutputTokens: 9 } } });
    expect(cand!.provider).toMatchObject({ id: p.id, name: 'openai', displayName: 'OPENAI', rank: 100, enabled: true, fromEnv: false });
    expect(targetOf(cand!.provider, c.id)).toEqual({ baseUrl: 'http://up.invalid/v1', region: 'eu', credential: { api_key: 'k-1' }, config: { headers: { a: 'b' } } });
    expect(targetOf(cand!.provider, 'unknown').credential).toEqual({});
    expect((await table.resolve('openai/gpt-x', 'chatCompletion'))[0]!.rate!.model).toBe('openai/gpt-x');
    // With billing on, a model without a rate is not served.
    await expect(table.resolve('openai/gpt-unpriced', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    await expect(table.resolve('openai/', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    // Priced for chat only.
    await expect(table.resolve('openai/gpt-4o-mini', 'imageGeneration')).rejects.toMatchObject({ status: 404 });
    await expect(table.resolve('anthropic/claude', 'chatCompletion')).rejects.toMatchObject({ status: 404, message: "The model 'anthropic/claude' is not served by any enabled provider" });
  });

  it('finds an unpinned model at every provider that prices it (or, with billing off, knows it), best rank first', async () => {
    const { models, table } = await setup();
    const a = await provider(models, 'deepseek', { rank: 5 });
    // Created before openai, at the same rank: the registry's order decides.
    const c = await provider(models, 'xai', { rank: 1 });
    const b = await provider(models, 'openai', { rank: 1 });
    for (const p of [a, b, c]) await credential(models, p.id, { api_key: 'k' });
    await rate(models, a.id, 'shared');
    await rate(models, b.id, 'openai/shared');
    await rate(models, c.id, 'shared');
    expect((await table.resolve('shared', 'chatCompletion')).map((m) => [m.provider.name, m.upstreamModel])).toEqual([
      ['openai', 'shared'],
      ['xai', 'shared'],
      ['deepseek', 'shared'],
    ]);
    // Billing off: a model the provider's own patterns know is served without a rate.
    expect((await table.resolve('gpt-4o', 'chatCompletion')).map((m) => m.provider.name)).toEqual(['openai']);
    await expect(table.resolve('no-such-model', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    await expect(table.resolve('shared', 'embedding')).rejects.toMatchObject({ status: 404 });
    const { table: billed, models: m2 } = await setup({ billingEnabled: true });
    const o = await provider(m2, 'openai');
    await credential(m2, o.id, { api_key: 'k' });
    await expect(billed.resolve('gpt-4o', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
  });

  it('answers 503 with the shortest cooldown when no provider that serves the model can be used', async () => {
    const { models, table } = await setup();
    const p = await provider(models, 'openai');
    const soon = new Date(Date.now() + 12_500);
    await credential(models, p.id, { api_key: 'a' }, { cooldownUntil: soon });
    await credential(models, p.id, { api_key: 'b' }, { cooldownUntil: new Date(Date.now() + 40_000) });
    await credential(models, p.id, { api_key: 'c' }, { status: 'disabled', cooldownUntil: new Date(Date.now() + 1000) });
    await rate(models, p.id, 'gpt-4o-mini');
    await expect(table.resolve('openai/gpt-4o-mini', 'chatCompletion')).rejects.toMatchObject({ status: 503, retryAfter: 13, message: "Every provider for 'openai/gpt-4o-mini' is disabled, has no usable credential, or is cooling down" });
    const { models: m2, table: t2 } = await setup();
    const off = await provider(m2, 'openai', { enabled: false });
    await credential(m2, off.id, { api_key: 'a' });
    await rate(m2, off.id, 'gpt-4o-mini');
    await expect(t2.resolve('openai/gpt-4o-mini', 'chatCompletion')).rejects.toMatchObject({ status: 503, retryAfter: 60 });
  });

  it('falls back to credentials from the environment, and serves providers configured only there', async () => {
    const { models, table } = await setup({ env: { OPENAI_API_KEY: 'env-openai', DEEPSEEK_API_KEY: 'env-deepseek', OLLAMA_BASE_URL: 'http://ollama.invalid:11434/v1' } });
    const p = await provider(models, 'openai');
    await credential(models, p.id, 'not json: sealed with another secret');
    await rate(models, p.id, 'gpt-4o-mini');
    const [cand] = await table.resolve('openai/gpt-4o-mini', 'chatCompletion');
    expect(cand!.provider.credentials.map((c) => c.id)).toEqual(['env:openai']);
    expect(cand!.provider.secrets.get('env:openai')).toEqual({ api_key: 'env-openai' });
    const [ds] = await table.resolve('deepseek/deepseek-chat', 'chatCompletion');
    expect(ds!.provider).toMatchObject({ id: 'env:deepseek', name: 'deepseek', rank: 1000, fromEnv: true, baseUrl: 'https://api.deepseek.com/v1' });
    const [ol] = await table.resolve('ollama/llama3', 'chatCompletion');
    expect(ol!.provider).toMatchObject({ fromEnv: true, baseUrl: 'http://ollama.invalid:11434/v1' });
    expect(ol!.provider.secrets.get('env:ollama')).toEqual({});
    await expect(table.resolve('xai/grok', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
  });

  it('trusts a snapshot for its TTL, serves it stale for one more while it reloads, and reloads at once when invalidated', async () => {
    const { models, table, loads, loaded } = await setup({ ttlMs: 1000 });
    const p = await provider(models, 'openai');
    await credential(models, p.id, { api_key: 'a' });
    await rate(models, p.id, 'm1');
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    await table.resolve('openai/m1', 'chatCompletion');
    expect(loads()).toBe(1);
    await rate(models, p.id, 'm2');
    vi.setSystemTime(start + 999);
    await expect(table.resolve('openai/m2', 'chatCompletion')).resolves.toHaveLength(1);
    expect(loads()).toBe(1);
    // Stale by age: served (without the rate added since), and reloaded behind it.
    vi.setSystemTime(start + 1000);
    await rate(models, p.id, 'm2b');
    expect((await table.resolve('openai/m2b', 'chatCompletion'))[0]!.rate).toBeUndefined();
    expect(loads()).toBe(2);
    await loaded(2);
    expect((await table.resolve('openai/m2b', 'chatCompletion'))[0]!.rate!.model).toBe('m2b');
    // Too old to serve (an idle instance): reloaded before it answers.
    await rate(models, p.id, 'm3');
    vi.setSystemTime(start + 1000 + 2000);
    expect((await table.resolve('openai/m3', 'chatCompletion'))[0]!.rate!.model).toBe('m3');
    table.invalidate();
    await table.resolve('openai/m3', 'chatCompletion');
    expect(loads()).toBe(4);
    await Promise.all([table.resolve('openai/m3', 'chatCompletion'), table.resolve('openai/m1', 'chatCompletion')]);
    expect(loads()).toBe(4);
  });

  it("keeps each credential's live state across reloads, taking the later cooldown, and drops it when an admin resets it", async () => {
    const { models, table } = await setup();
    const p = await provider(models, 'openai');
    const c = await credential(models, p.id, { api_key: 'a' }, { weight: 0 });
    await rate(models, p.id, 'm');
    const live = (await table.resolve('openai/m', 'chatCompletion'))[0]!.provider.credentials[0]!;
    expect(live).toMatchObject({ id: c.id, weight: 1, disabled: false });
    expect(table.state(c.id)).toBe(live);
    live.failureCount = 3;
    const cooledUntil = Date.now() + 60_000;
    live.cooldownUntil = cooledUntil;
    // Another instance cooled it down for less, and changed its weight.
    await models.AiCredential.update({ weight: 7, cooldownUntil: new Date(Date.now() + 1000), failureCount: 1 }, { where: { id: c.id } });
    table.invalidate();
    const reloaded = (await table.resolve('openai/m', 'chatCompletion').catch(() => null)) ?? null;
    expect(reloaded).toBeNull();
    expect(table.state(c.id)).toMatchObject({ weight: 7, failureCount: 3 });
    expect(table.state(c.id)!.cooldownUntil).toBe(cooledUntil);
    table.resetCredential(c.id);
    table.resetCredential('unknown');
    expect(table.state(c.id)).toMatchObject({ cooldownUntil: 0, failureCount: 0, disabled: false, disabledReason: null });
    // A credential deleted from the database is forgotten at the next reload.
    await models.AiCredential.destroy({ where: { id: c.id } });
    table.invalidate();
    await table.resolve('openai/m', 'chatCompletion').catch(() => {});
    expect(table.state(c.id)).toBeUndefined();
  });

  it("keeps an environment credential's live state across reloads (it has no row to forget it by)", async () => {
    const { table } = await setup({ env: { OPENAI_API_KEY: 'env-openai' } });
    await table.resolve('openai/gpt-4o', 'chatCompletion');
    table.state('env:openai')!.cooldownUntil = Date.now() + 60_000;
    table.invalidate();
    await expect(table.resolve('openai/gpt-4o', 'chatCompletion')).rejects.toMatchObject({ status: 503, retryAfter: 60 });
  });
});
