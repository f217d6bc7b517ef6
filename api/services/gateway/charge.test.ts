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
    // Whole credits of more than one digit, and what is no decimal string.
    expect(rateToNano('12')).toBe(12_000_000_000);
    expect(rateToNano('12.5')).toBe(12_500_000_000);
    expect(rateToNano('9007199.254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(rateToNano('9007199.254740992')).toBeNull();
    for (const notARate of ['3.', '.5', '-1', ' 1', '1 ', '0x10', '']) expect(rateToNano(notARate), notARate).toBeNull();
  });

  it('agrees with the exact decimal computation', () => {
    const rates: Rate[] = [];
    const values = ['0', '0.000000001', '0.0000025', '0.00001', '0.0000000004', '0.000000123456789', '0.04', '2.5', '0.1'];
    for (const type of ['chatCompletion', 'embedding', 'imageGeneration', 'audio', 'video'] as const) {
      for (const inputRate of values) {
        for (const outputRate of values) {
          rates.push({ type, inputRate, outputRate, cacheReadRate: null, cacheWriteRate: null });
          rates.push({ type, inputRate, outputRate, cacheReadRate: '0.0000003', cacheWriteRate: '0.00000375' });
          if (inputRate !== '0.0000025') continue;
          // A cache rate finer than a nano-credit sends the whole charge down the exact path.
          rates.push({ type, inputRate, outputRate, cacheReadRate: '0.0000000005', cacheWriteRate: '0.00000375' });
          rates.push({ type, inputRate, outputRate, cacheReadRate: '0.0000003', cacheWriteRate: '0.0000000005' });
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
      { inputTokens: 0, outputTokens: 0, images: 2 },
      { inputTokens: 1, outputTokens: 0, images: 4 },
      { inputTokens: 2 ** 40, outputTokens: 2 ** 40 },
      { inputTokens: 0, outputTokens: 0, seconds: 37 },
      { inputTokens: 0, outputTokens: 0, characters: 1234 },
      { inputTokens: 3, outputTokens: 0, seconds: 12, characters: 5 },
      { inputTokens: 0, outputTokens: 0, seconds: 2 ** 45, characters: 2 ** 45 },
    ];
    for (let i = 0; i < 50; i++) {
      usages.push({ inputTokens: random(200_000), outputTokens: random(50_000), cacheReadTokens: random(3) ? 0 : random(1000), cacheWriteTokens: random(3) ? 0 : random(500), images: random(4), seconds: random(600), characters: random(5000) });
    }
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
