/**
 * The catalog the hub serves (`/api/ai/models`): every configured rate with its provider, filtered
 * by type, and available only while its provider is enabled, has a usable credential and its latest
 * health check did not fail.
 */
import { describe, expect, it } from 'vitest';
import type { RateType } from '../../store/models/ai-model-rate.js';
import { tempStores, type TempStore } from '../../tests/helpers/temp-store.js';
import { listCatalogModels } from './catalog.js';
import { RoutingTable } from './routing.js';

const openStore = tempStores();

async function addProvider(store: TempStore, id: string, p: { enabled?: boolean; keys: { status?: string; cooldownUntil?: Date | null }[]; rates: [string, RateType][] }) {
  const { models } = store;
  await models.AiProvider.create({ id, name: id, displayName: id.toUpperCase(), baseUrl: 'http://127.0.0.1:9/v1', region: null, enabled: p.enabled ?? true, rank: 100, config: null } as never);
  for (const [i, k] of p.keys.entries()) {
    await models.AiCredential.create({ id: `${id}-c${i}`, providerId: id, name: `k${i}`, credentialType: 'api_key', encryptedValue: JSON.stringify({ api_key: `sk-${id}-${i}` }), maskedValue: {}, weight: 100, status: k.status ?? 'active', disabledReason: null, cooldownUntil: k.cooldownUntil ?? null, failureCount: 0, usageCount: 0, lastUsedAt: null, lastErrorAt: null } as never);
  }
  for (const [model, type] of p.rates) {
    await models.AiModelRate.create({ id: `${id}-${model}`, providerId: id, model, type, inputRate: '0.000001', outputRate: '0.000002', cacheReadRate: null, cacheWriteRate: null, unitCosts: null, modelMetadata: type === 'embedding' ? { dims: 1536 } : null } as never);
  }
}

describe('listCatalogModels', () => {
  it('lists each rate with its provider, filters by type, and marks what cannot be served unavailable', async () => {
    const store = await openStore();
    // One key disabled, one usable: served.
    await addProvider(store, 'openai', { keys: [{ status: 'disabled' }, {}], rates: [['gpt-4o-mini', 'chatCompletion'], ['text-embedding-3-small', 'embedding']] });
    // Every key cooling down: not served.
    await addProvider(store, 'deepseek', { keys: [{ cooldownUntil: new Date(Date.now() + 3_600_000) }], rates: [['deepseek-chat', 'chatCompletion']] });
    // A usable key, but the provider is switched off.
    await addProvider(store, 'xai', { enabled: false, keys: [{}], rates: [['grok-3', 'chatCompletion']] });
    const routing = new RoutingTable({ models: store.models, env: {}, openCredential: (row) => JSON.parse(row.encryptedValue) as Record<string, string>, billingEnabled: true });

    const all = await listCatalogModels(routing);
    const byModel = Object.fromEntries(all.map((m) => [m.model, m]));
    expect(Object.keys(byModel).sort()).toEqual(['deepseek-chat', 'gpt-4o-mini', 'grok-3', 'text-embedding-3-small']);
    expect(byModel['gpt-4o-mini']).toEqual({ model: 'gpt-4o-mini', type: 'chatCompletion', provider: 'openai', providerId: 'openai', providerDisplayName: 'OPENAI', inputRate: '0.000001', outputRate: '0.000002', modelMetadata: null, available: true });
    expect(byModel['text-embedding-3-small']).toMatchObject({ type: 'embedding', modelMetadata: { dims: 1536 }, available: true });
    expect(byModel['deepseek-chat']).toMatchObject({ provider: 'deepseek', available: false });
    expect(byModel['grok-3']).toMatchObject({ provider: 'xai', available: false });

    const embeddings = await listCatalogModels(routing, 'embedding');
    expect(embeddings.map((m) => m.model)).toEqual(['text-embedding-3-small']);
    expect((await listCatalogModels(routing, 'chatCompletion')).map((m) => m.model).sort()).toEqual(['deepseek-chat', 'gpt-4o-mini', 'grok-3']);

    // A failed health check marks that one model of that provider and type, not its others.
    const failing = new Set(['openai:chatCompletion:gpt-4o-mini']);
    const checked = Object.fromEntries((await listCatalogModels(routing, undefined, failing)).map((m) => [m.model, m.available]));
    expect(checked).toEqual({ 'gpt-4o-mini': false, 'text-embedding-3-small': true, 'deepseek-chat': false, 'grok-3': false });
  });
});
