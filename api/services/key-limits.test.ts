import { describe, expect, it } from 'vitest';
import { globMatch, keyLimitsSchema, patternCovered, wideningOf, type KeyLimits } from './key-limits.js';

const limits = (l: Partial<KeyLimits>): KeyLimits => ({ rpm: null, tpm: null, maxConcurrent: null, models: null, budget: null, ...l });

describe('key limits', () => {
  it('parses the API.md §14 shape into all five fields, exact decimals, no duplicates', () => {
    expect(keyLimitsSchema.parse({ rpm: 5, models: ['a/*', 'a/*'], budget: { credits: 1.5, period: 'week' } })).toEqual(
      limits({ rpm: 5, models: ['a/*'], budget: { credits: '1.5', period: 'week' } }),
    );
    for (const bad of [{ rpm: 0 }, { tpm: 2.5 }, { models: [] }, { models: ['a b'] }, { budget: { credits: 'x', period: 'day' } }, { other: 1 }]) {
      expect(keyLimitsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('matches * globs without backtracking blow-up', () => {
    expect(globMatch('openai/*', 'openai/gpt-4o')).toBe(true);
    expect(globMatch('*-mini', 'openai/gpt-4o-mini')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyy')).toBe(false);
    // A backtracking regular expression would still be at this one when the test times out.
    expect(globMatch(`${'a*'.repeat(50)}b`, 'a'.repeat(200))).toBe(false);
  });

  it('covers a model pattern only by one that lets through all it names', () => {
    const table: [string, string, boolean][] = [
      ['openai/gpt-4o', 'openai/gpt-4o', true],
      ['openai/gpt-4o', 'openai/*', true],
      ['openai/gpt-*', 'openai/*', true],
      ['openai/*', 'openai/gpt-*', false],
      ['anthropic/claude', 'openai/*', false],
      ['anything', '*', true],
      ['openai/gpt-4o-mini', '*-mini', true],
      ['openai/*-mini', '*-mini', false],
    ];
    for (const [pattern, allowed, covered] of table) expect(patternCovered(pattern, allowed), `${pattern} in ${allowed}`).toBe(covered);
  });

  it('finds where a key would widen its ceiling, and lets every narrower key through', () => {
    const ceiling = limits({ rpm: 60, tpm: 10_000, models: ['openai/*'], budget: { credits: '30', period: 'month' } });
    const wider: [Partial<KeyLimits>, string][] = [
      [{ rpm: 61 }, 'rpm'],
      [{ tpm: 10_001 }, 'tpm'],
      [{ models: ['openai/gpt-4o', 'google/gemini'] }, 'models'],
      [{ budget: { credits: '31', period: 'month' } }, 'budget'],
      [{ budget: { credits: '1', period: 'day' } }, 'budget'],
      [{ budget: { credits: '7', period: 'week' } }, 'budget'],
    ];
    for (const [want, field] of wider) expect(wideningOf(limits(want), ceiling)?.field, JSON.stringify(want)).toBe(field);
    const narrower: Partial<KeyLimits>[] = [{}, { rpm: 60, maxConcurrent: 3 }, { models: ['openai/gpt-4o'] }, { budget: { credits: '0.9', period: 'day' } }, { budget: { credits: '5', period: 'week' } }, { budget: { credits: '30', period: 'total' } }];
    for (const want of narrower) expect(wideningOf(limits(want), ceiling), JSON.stringify(want)).toBeNull();
    // A periodic budget can always outspend a total one in time.
    expect(wideningOf(limits({ budget: { credits: '1', period: 'day' } }), limits({ budget: { credits: '100', period: 'total' } }))?.field).toBe('budget');
    expect(wideningOf(limits({ rpm: 1_000_000 }), null)).toBeNull();
  });
});
