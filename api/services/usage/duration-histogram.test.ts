import { describe, expect, it } from 'vitest';
import { random, randomDuration } from '../../tests/usage/usage-scenario.js';
import { addDuration, binsFromBytes, binsFromJson, binsToBytes, binsToJson, DurationCounts, mergeBins, type DurationBins } from './duration-histogram.js';

/** Nearest rank, as the statistics defined it before histograms: the ceil(n·p/100)-th smallest. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((sorted.length * p) / 100)) - 1]!;
}

const within = (estimate: number | null, exact: number) => (exact < 56 ? estimate === exact : Math.abs(estimate! - exact) / exact <= 0.02);

describe('duration histograms', () => {
  const shapes: Record<string, (rnd: () => number) => number> = {
    mixed: randomDuration,
    'small whole milliseconds': (rnd) => Math.floor(rnd() * 120),
    'slow and wide': (rnd) => Math.round(Math.exp(4 + rnd() * 10)),
    'two peaks': (rnd) => (rnd() < 0.7 ? 300 + Math.floor(rnd() * 40) : 9_000 + Math.floor(rnd() * 4_000)),
  };

  for (const [name, draw] of Object.entries(shapes)) {
    it(`gives percentiles within 2 % of the exact ones, merged from many parts (${name})`, () => {
      const rnd = random(name.length * 7919);
      const all: number[] = [];
      const total = new DurationCounts();
      // Parts of every size, as hourly buckets, in both stored forms, merged as the statistics merge them.
      for (let part = 0; part < 400; part++) {
        const bins: DurationBins = new Map();
        const n = 1 + Math.floor(rnd() ** 3 * 600);
        for (let i = 0; i < n; i++) {
          const d = draw(rnd);
          all.push(d);
          addDuration(bins, d);
        }
        if (part % 2) total.addJson(binsToJson(bins));
        else total.addBytes(binsToBytes(bins));
      }
      all.sort((a, b) => a - b);
      expect(total.total).toBe(all.length);
      for (const p of [1, 10, 50, 90, 95, 99, 100]) {
        const exact = exactPercentile(all, p);
        expect(within(total.percentile(p), exact), `p${p}: ${total.percentile(p)} against ${exact}`).toBe(true);
      }
    });
  }

  it('ranks small sets as the nearest-rank definition does', () => {
    const rnd = random(42);
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, () => randomDuration(rnd)).sort((a, b) => a - b);
      const counts = new DurationCounts();
      const bins: DurationBins = new Map();
      for (const v of values) addDuration(bins, v);
      counts.addBins(bins);
      for (const p of [50, 95]) expect(within(counts.percentile(p), exactPercentile(values, p)), `n=${n} p${p}`).toBe(true);
    }
    expect(new DurationCounts().percentile(50)).toBeNull();
  });

  it('keeps counts through both stored forms and merges by adding', () => {
    const a: DurationBins = new Map();
    const b: DurationBins = new Map();
    for (const d of [0, 0, 1, 2, 55, 56, 1_000, 1_000, 999_999, 2 ** 40]) addDuration(a, d);
    for (const d of [0, 3, 1_000, 120_000]) addDuration(b, d);
    addDuration(b, null);
    expect(binsFromJson(binsToJson(a))).toEqual(a);
    expect(binsFromBytes(binsToBytes(a))).toEqual(a);
    const merged = new Map(a);
    mergeBins(merged, b);
    expect(binsFromBytes(binsToBytes(b), binsFromJson(binsToJson(a)))).toEqual(merged);
    expect([...merged.values()].reduce((x, y) => x + y, 0)).toBe(14);
    expect(binsToJson(new Map())).toBeNull();
    expect(binsToBytes(new Map())).toBeNull();
  });
});
