import { describe, expect, it } from 'vitest';
import { computeCreditsNano, type PricedUsage } from '../billing/pricing.js';
import { chargeNano, rateToNano } from './charge.js';

type Rate = NonNullable<Parameters<typeof computeCreditsNano>[0]>;

describe('chargeNano', () => {
  it('reads whole nano-credit rates', () => {
    expect(rateToNano('0.0000025')).toBe(2500);
    expect(rateToNano('3')).toBe(3_000_000_000);
    expect(rateToNano('0.000000001')).toBe(1);
    expect(rateToNano('0.0000000010')).toBe(1);
    expect(rateToNano('0.0000000004')).toBeNull();
    expect(rateToNano('1e-9')).toBeNull();
    expect(rateToNano('99999999999')).toBeNull();
  });

  it('agrees with the exact decimal computation', () => {
    const rates: Rate[] = [];
    const values = ['0', '0.000000001', '0.0000025', '0.00001', '0.0000000004', '0.000000123456789', '0.04', '2.5', '0.1'];
    for (const type of ['chatCompletion', 'embedding', 'imageGeneration'] as const) {
      for (const inputRate of values) {
        for (const outputRate of values) {
          rates.push({ type, inputRate, outputRate, cacheReadRate: null, cacheWriteRate: null });
          rates.push({ type, inputRate, outputRate, cacheReadRate: '0.0000003', cacheWriteRate: '0.00000375' });
        }
      }
    }
    let seed = 7;
    const random = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % max;
    };
    const usages: PricedUsage[] = [
      { inputTokens: 0, outputTokens: 0 },
      { inputTokens: 987_654_321, outputTokens: 123_456_789 },
      { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 600, cacheWriteTokens: 300 },
      { inputTokens: 10, outputTokens: 0, cacheReadTokens: 20 },
      { inputTokens: 5, outputTokens: 0, images: 3 },
      { inputTokens: 2 ** 40, outputTokens: 2 ** 40 },
    ];
    for (let i = 0; i < 50; i++) usages.push({ inputTokens: random(200_000), outputTokens: random(50_000), cacheReadTokens: random(3) ? 0 : random(1000), images: random(4) });
    for (const rate of rates) {
      for (const usage of usages) {
        let exact: number | string;
        try {
          exact = computeCreditsNano(rate, usage);
        } catch (err) {
          exact = (err as Error).name;
        }
        let fast: number | string;
        try {
          fast = chargeNano(rate, usage);
        } catch (err) {
          fast = (err as Error).name;
        }
        expect(fast, `${JSON.stringify(rate)} ${JSON.stringify(usage)}`).toBe(exact);
      }
    }
  });

  it('charges nothing without a rate', () => {
    expect(chargeNano(undefined, { inputTokens: 5, outputTokens: 5 })).toBe(0);
  });
});
