import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRICE_TABLE_SOURCE, pricesInForce, tablePriceFor, tablePrices } from './price-table.js';

describe('the price table', () => {
  it('is the version of @pydantic/genai-prices the hub ships (its date and licence go with it)', async () => {
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string; license: string };
    expect(pkg.version).toBe(PRICE_TABLE_SOURCE.version);
    expect(pkg.license).toBe(PRICE_TABLE_SOURCE.license);
  });

  it.each([
    ['openai', 'gpt-4o-mini', 'gpt-4o-mini', '0.15', '0.6', '0.075', null],
    ['openai', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini', '0.15', '0.6', '0.075', null],
    ['anthropic', 'claude-3-5-haiku-latest', 'claude-3-5-haiku-latest', '0.8', '4', '0.08', '1'],
    ['xai', 'grok-3', 'grok-3', '3', '15', '0.75', null],
  ])('prices %s %s as the table\'s %s in USD per 1M tokens', async (provider, model, tableModel, input, output, cacheRead, cacheWrite) => {
    const p = await tablePriceFor(provider, model);
    expect(p).toMatchObject({ model, tableModel, type: 'chatCompletion', inputPer1M: input, outputPer1M: output, cacheReadPer1M: cacheRead, cacheWritePer1M: cacheWrite });
  });

  it('counts prices that change by the hour at their highest (DeepSeek\'s peak hours)', async () => {
    expect(await tablePriceFor('deepseek', 'deepseek-chat')).toMatchObject({ inputPer1M: '0.27', outputPer1M: '1.1', cacheReadPer1M: '0.07' });
  });

  it('gives the base tier of long-context prices and says they are tiered', async () => {
    expect(await tablePriceFor('anthropic', 'claude-sonnet-4-5')).toMatchObject({ inputPer1M: '3', outputPer1M: '15', cacheWritePer1M: '3.75', tiered: true });
  });

  it('gives per-second prices from per-hour audio prices, and tells embeddings and audio apart', async () => {
    expect(await tablePriceFor('openai', 'whisper-1')).toMatchObject({ type: 'audio', perSecond: '0.0001', inputPer1M: null });
    expect(await tablePriceFor('openai', 'text-embedding-3-small')).toMatchObject({ type: 'embedding', inputPer1M: '0.02', outputPer1M: null });
  });

  it('knows nothing of models or providers it does not price', async () => {
    expect(await tablePriceFor('openai', 'no-such-model-anywhere')).toBeNull();
    expect(await tablePriceFor('ollama', 'llama3')).toBeNull();
    expect(await tablePrices('ollama')).toEqual([]);
    expect((await tablePrices('openai')).length).toBeGreaterThan(50);
  });

  it('takes the latest entry whose start date has passed', () => {
    const prices = [
      { prices: { input_mtok: 1 } },
      { constraint: { type: 'start_date' as const, start_date: '2026-01-01' }, prices: { input_mtok: 2 } },
      { constraint: { type: 'start_date' as const, start_date: '2027-01-01' }, prices: { input_mtok: 3 } },
    ];
    expect(pricesInForce(prices, new Date('2025-06-01'))).toEqual({ input_mtok: 1 });
    expect(pricesInForce(prices, new Date('2026-06-01'))).toEqual({ input_mtok: 2 });
    expect(pricesInForce(prices, new Date('2027-06-01'))).toEqual({ input_mtok: 3 });
  });
});
