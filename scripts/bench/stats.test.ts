import { describe, expect, it } from 'vitest';
import { countWords, creditsToNanoBigInt, fmt, median, percentile, ratio, rotate } from './stats.js';

describe('bench stats', () => {
  it('percentile uses nearest rank', () => {
    const v = [5, 1, 4, 2, 3];
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([], 50)).toBeNaN();
  });

  it('median skips missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('ratio is NaN without a denominator', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(undefined, 2)).toBeNaN();
  });

  it('rotate starts each round elsewhere', () => {
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate([], 2)).toEqual([]);
  });

  it('counts words like the fake upstream', () => {
    expect(countWords('  Echo: hello   there ')).toBe(3);
    expect(countWords('')).toBe(0);
  });

  it('parses credit decimals exactly', () => {
    expect(creditsToNanoBigInt('12.5')).toBe(12_500_000_000n);
    expect(creditsToNanoBigInt('0.000000001')).toBe(1n);
    expect(creditsToNanoBigInt('-3')).toBe(-3_000_000_000n);
    expect(creditsToNanoBigInt('1000000000000')).toBe(1_000_000_000_000_000_000_000n);
    expect(() => creditsToNanoBigInt('0.0000000001')).toThrow();
    expect(() => creditsToNanoBigInt('abc')).toThrow();
  });

  it('formats missing values as a dash', () => {
    expect(fmt(1.234, 2)).toBe('1.23');
    expect(fmt(Number.NaN)).toBe('–');
  });
});
