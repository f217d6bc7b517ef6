import { describe, expect, it } from 'vitest';
import { narrowest } from '../key-limits.js';
import { periodEnd, periodStart } from './counters.js';
import { modelMatches, resetText } from './limits.js';

describe('limits helpers', () => {
  it('matches exact, bare and glob model patterns against provider/model names', () => {
    expect(modelMatches('openai/gpt-4o-mini', ['openai/gpt-4o-mini'])).toBe(true);
    expect(modelMatches('openai/gpt-4o-mini', ['openai/gpt-4o'])).toBe(false);
    expect(modelMatches('gpt-4o', ['openai/gpt-4o'])).toBe(true);
    expect(modelMatches('gpt-4o', ['openai/gpt-4o-mini'])).toBe(false);
    expect(modelMatches('openai/*', ['openai/gpt-4o', 'anthropic/claude'])).toBe(true);
    expect(modelMatches('openai/*', ['anthropic/claude'])).toBe(false);
    expect(modelMatches('gpt-4o*', ['openai/gpt-4o-mini'])).toBe(true);
    expect(modelMatches('*', ['x/y'])).toBe(true);
  });

  it('writes reset times as OpenAI does', () => {
    expect(resetText(250)).toBe('250ms');
    expect(resetText(1000)).toBe('1s');
    expect(resetText(40_000)).toBe('40s');
    expect(resetText(60_000)).toBe('1m0s');
  });

  it('finds UTC periods: days, weeks from Monday, months', () => {
    const at = new Date('2026-12-09T15:00:00Z'); // a Wednesday
    expect(periodStart('day', at)).toBe('2026-12-09');
    expect(periodStart('week', at)).toBe('2026-12-07');
    expect(periodStart('month', at)).toBe('2026-12-01');
    expect(periodEnd('day', at)?.toISOString()).toBe('2026-12-10T00:00:00.000Z');
    expect(periodEnd('week', at)?.toISOString()).toBe('2026-12-14T00:00:00.000Z');
    expect(periodEnd('month', new Date('2026-12-31T23:59:59Z'))?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(periodEnd('total', at)).toBeNull();
  });

  it('keeps the making key’s limits where a new key sets none', () => {
    const none = { rpm: null, tpm: null, maxConcurrent: null, models: null, budget: null };
    expect(narrowest(null, null)).toBeNull();
    expect(narrowest({ ...none, rpm: 5 }, null)).toEqual({ ...none, rpm: 5 });
    expect(narrowest(null, { ...none, tpm: 9 })).toEqual({ ...none, tpm: 9 });
    expect(narrowest({ ...none, rpm: 50, models: ['openai/gpt-4o'] }, { ...none, rpm: 10, tpm: 9, models: ['openai/*'] })).toEqual({ ...none, rpm: 10, tpm: 9, models: ['openai/gpt-4o'] });
  });
});
