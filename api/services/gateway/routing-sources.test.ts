/**
 * The routing table on a real SQLite file, beyond chat: each call type served by the providers able
 * to, the providers an operator excluded from bare names, what a provider row takes from the
 * environment (base URL, region, AWS keys), the rate's every field, and the cooldown a 503 names.
 */
import { describe, expect, it } from 'vitest';
import { credentialRow, providerRow, rateRow } from '../../tests/helpers/routing-rows.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import type { Models } from '../../store/models/index.js';
import { RoutingTable } from './routing.js';

const openStore = tempStores();

async function setup(options: { env?: Record<string, string>; billingEnabled?: boolean; excludedProviders?: string[] } = {}) {
  const { models } = await openStore();
  const table = new RoutingTable({
    models,
    env: options.env ?? {},
    openCredential: (row) => JSON.parse(row.encryptedValue) as Record<string, string>,
    billingEnabled: options.billingEnabled ?? true,
    excludedProviders: options.excludedProviders,
  });
  return { models, table };
}

const provider = providerRow;
const credential = (models: Models, providerId: string, patch: Record<string, unknown> = {}) => credentialRow(models, providerId, undefined, patch);
const rate = rateRow;

const TYPES = ['chatCompletion', 'embedding', 'imageGeneration', 'audio', 'video'] as const;

describe('routing sources', () => {
  it('serves each call type from the providers able to make it, pinned or not', async () => {
    const { models, table } = await setup();
    const openai = await provider(models, 'openai', { rank: 1 });
    const deepseek = await provider(models, 'deepseek', { rank: 2 });
    for (const p of [openai, deepseek]) {
      await credential(models, p.id);
      for (const type of TYPES) await rate(models, p.id, `m-${type}`, type);
    }
    for (const type of TYPES) {
      // openai makes every type; deepseek only chat, whatever rates it was given.
      expect((await table.resolve(`m-${type}`, type)).map((c) => c.provider.name)).toEqual(type === 'chatCompletion' ? ['openai', 'deepseek'] : ['openai']);
      expect((await table.resolve(`openai/m-${type}`, type))[0]!.rate).toMatchObject({ model: `m-${type}`, type });
      if (type !== 'chatCompletion') await expect(table.resolve(`deepseek/m-${type}`, type)).rejects.toMatchObject({ status: 404 });
    }
  });

  it('skips the providers an operator excluded for bare model names, not for pinned ones', async () => {
    const { models, table } = await setup({ excludedProviders: ['openai'] });
    for (const [name, rank] of [['openai', 1], ['deepseek', 2], ['xai', 3]] as const) {
      const p = await provider(models, name, { rank });
      await credential(models, p.id);
      await rate(models, p.id, 'shared');
    }
    expect((await table.resolve('shared', 'chatCompletion')).map((c) => c.provider.name)).toEqual(['deepseek', 'xai']);
    expect((await table.resolve('openai/shared', 'chatCompletion')).map((c) => c.provider.name)).toEqual(['openai']);
    const { models: m2, table: onlyExcluded } = await setup({ excludedProviders: ['openai'] });
    const o = await provider(m2, 'openai');
    await credential(m2, o.id);
    await rate(m2, o.id, 'shared');
    await expect(onlyExcluded.resolve('shared', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
  });

  it("takes a stored provider's base URL and region from the row, else the environment, else the default", async () => {
    const env = { OPENAI_BASE_URL: 'http://env-openai.invalid/v1', AWS_REGION: 'eu-west-3' };
    const { models, table } = await setup({ env });
    const own = await provider(models, 'openai', { baseUrl: 'http://own.invalid/v1', region: 'r-own', config: { a: 1 } });
    const fromEnv = await provider(models, 'bedrock');
    const fallback = await provider(models, 'deepseek');
    for (const p of [own, fromEnv, fallback]) {
      await credential(models, p.id);
      await rate(models, p.id, 'm');
    }
    const entry = async (name: string) => (await table.resolve(`${name}/m`, 'chatCompletion'))[0]!.provider;
    expect(await entry('openai')).toMatchObject({ baseUrl: 'http://own.invalid/v1', region: 'r-own', config: { a: 1 } });
    expect(await entry('bedrock')).toMatchObject({ region: 'eu-west-3', config: undefined });
    expect(await entry('deepseek')).toMatchObject({ baseUrl: 'https://api.deepseek.com/v1', region: undefined });
    const { models: m2, table: t2 } = await setup({ env });
    const plain = await provider(m2, 'openai');
    await credential(m2, plain.id);
    await rate(m2, plain.id, 'm');
    expect((await t2.resolve('openai/m', 'chatCompletion'))[0]!.provider.baseUrl).toBe('http://env-openai.invalid/v1');
  });

  it('serves a provider configured only with AWS keys in the environment, each key taken as given', async () => {
    const { table } = await setup({ billingEnabled: false, env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example', AWS_REGION: 'us-east-2' } });
    const [bedrock] = await table.resolve('bedrock/anthropic.claude', 'chatCompletion');
    expect(bedrock!.provider).toMatchObject({ id: 'env:bedrock', name: 'bedrock', displayName: expect.any(String), region: 'us-east-2', enabled: true, rank: 1000, fromEnv: true });
    expect(bedrock!.provider.displayName).not.toBe('');
    expect(bedrock!.provider.secrets.get('env:bedrock')).toEqual({ access_key_id: 'AKIAEXAMPLE', secret_access_key: 'secret-example' });
    expect(bedrock!.provider.credentials).toMatchObject([{ id: 'env:bedrock', providerId: 'env:bedrock', weight: 1, disabled: false, cooldownUntil: 0, failureCount: 0 }]);
    const { table: onlyId } = await setup({ billingEnabled: false, env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' } });
    expect((await onlyId.resolve('bedrock/x', 'chatCompletion'))[0]!.provider.secrets.get('env:bedrock')).toStrictEqual({ access_key_id: 'AKIAEXAMPLE' });
    const { table: onlySecret } = await setup({ billingEnabled: false, env: { AWS_SECRET_ACCESS_KEY: 'secret-example' } });
    expect((await onlySecret.resolve('bedrock/x', 'chatCompletion'))[0]!.provider.secrets.get('env:bedrock')).toStrictEqual({ secret_access_key: 'secret-example' });
    // No key at all: bedrock is known, not configured.
    const { table: none } = await setup({ billingEnabled: false });
    await expect(none.resolve('bedrock/x', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
  });

  it("copies every field of a model's rate", async () => {
    const { models, table } = await setup();
    const p = await provider(models, 'openai');
    await credential(models, p.id);
    const r = await rate(models, p.id, 'm', 'chatCompletion', { inputRate: '0.5', outputRate: '1.5', cacheReadRate: '0.05', cacheWriteRate: '0.6', modelMetadata: { maxOutputTokens: 7 } });
    expect((await table.resolve('m', 'chatCompletion'))[0]!.rate).toEqual({ id: r.id, model: 'm', type: 'chatCompletion', inputRate: '0.5', outputRate: '1.5', cacheReadRate: '0.05', cacheWriteRate: '0.6', modelMetadata: { maxOutputTokens: 7 } });
  });

  it('names in its 503 the shortest cooldown of an enabled provider, and none of a disabled one', async () => {
    const { models, table } = await setup();
    const off = await provider(models, 'openai', { enabled: false, rank: 1 });
    await credential(models, off.id, { cooldownUntil: new Date(Date.now() + 5_000) });
    await rate(models, off.id, 'm');
    await expect(table.resolve('m', 'chatCompletion')).rejects.toMatchObject({ status: 503, retryAfter: 60 });
    const on = await provider(models, 'deepseek', { rank: 2 });
    await credential(models, on.id, { cooldownUntil: new Date(Date.now() + 30_000) });
    await rate(models, on.id, 'm');
    table.invalidate();
    await expect(table.resolve('m', 'chatCompletion')).rejects.toMatchObject({ status: 503, retryAfter: 30 });
  });

  it('takes a credential from the environment only for a key, or a base URL where none is needed', async () => {
    // A base URL alone configures no provider that needs a key.
    const { table } = await setup({ billingEnabled: false, env: { OPENAI_BASE_URL: 'http://env-openai.invalid/v1' } });
    await expect(table.resolve('openai/gpt-4o', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    // One that needs none is configured by its base URL, and not without it.
    await expect(table.resolve('ollama/llama3', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    // A stored provider that needs no key is served without one, even with nothing in the environment.
    const { models, table: t2 } = await setup({ billingEnabled: false });
    await provider(models, 'openai-compatible');
    const [local] = await t2.resolve('openai-compatible/llama', 'chatCompletion');
    expect(local!.provider).toMatchObject({ baseUrl: undefined, region: undefined, credentials: [{ id: 'env:openai-compatible' }] });
    expect(local!.provider.secrets.get('env:openai-compatible')).toStrictEqual({});
  });

  it("uses a stored provider's own credentials, not the environment's, and serves it once", async () => {
    const { models, table } = await setup({ billingEnabled: false, env: { OPENAI_API_KEY: 'env-key' } });
    const p = await provider(models, 'openai');
    const c = await credential(models, p.id);
    const found = await table.resolve('gpt-4o', 'chatCompletion');
    expect(found.map((x) => [x.provider.id, x.provider.credentials.map((k) => k.id)])).toEqual([[p.id, [c.id]]]);
    expect((await table.resolve('openai/gpt-4o', 'chatCompletion'))[0]!.provider.id).toBe(p.id);
    // Without a credential of its own or in the environment, a stored provider has none to use.
    const { models: m2, table: t2 } = await setup({ billingEnabled: false });
    await provider(m2, 'openai');
    await expect(t2.resolve('openai/gpt-4o', 'chatCompletion')).rejects.toMatchObject({ status: 503, retryAfter: 60 });
  });

  it('gives each provider its own rates, and skips a stored provider the hub no longer knows', async () => {
    const { models, table } = await setup();
    const gone = await provider(models, 'retired-provider', { rank: 1 });
    await credential(models, gone.id);
    await rate(models, gone.id, 'only-openai');
    const a = await provider(models, 'openai', { rank: 2 });
    const b = await provider(models, 'deepseek', { rank: 3 });
    for (const p of [a, b]) await credential(models, p.id);
    await rate(models, a.id, 'only-openai');
    await rate(models, b.id, 'only-deepseek');
    expect((await table.resolve('only-openai', 'chatCompletion')).map((x) => x.provider.name)).toEqual(['openai']);
    expect((await table.resolve('only-deepseek', 'chatCompletion')).map((x) => x.provider.name)).toEqual(['deepseek']);
  });

  it('reads a provider prefix only before a slash, and refuses a known provider that is not configured', async () => {
    const { models, table } = await setup({ billingEnabled: false });
    const x = await provider(models, 'xai');
    await credential(models, x.id);
    const router = await provider(models, 'openrouter');
    await credential(models, router.id);
    await rate(models, router.id, 'anthropic/claude-3');
    // "xaiz" names no provider, though "xai" is one.
    await expect(table.resolve('xaiz', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    // anthropic is a provider the hub knows: its models are not looked for elsewhere.
    await expect(table.resolve('anthropic/claude-3', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    await expect(table.resolve('xai/', 'chatCompletion')).rejects.toMatchObject({ status: 404 });
    expect((await table.resolve('xai/grok-4', 'chatCompletion'))[0]).toMatchObject({ upstreamModel: 'grok-4' });
  });

  it('orders providers of one rank as the registry does, in whatever order they were stored', async () => {
    for (const stored of [['deepseek', 'xai', 'google'], ['xai', 'google', 'deepseek']]) {
      const { models, table } = await setup();
      for (const name of stored) {
        const p = await provider(models, name, { rank: 5 });
        await credential(models, p.id);
        await rate(models, p.id, 'shared');
      }
      expect((await table.resolve('shared', 'chatCompletion')).map((c) => c.provider.name)).toEqual(['google', 'deepseek', 'xai']);
    }
  });
});
