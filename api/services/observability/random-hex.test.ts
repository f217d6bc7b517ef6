/**
 * Trace and span ids: the right length, led by the clock, and span ids that do not repeat — the
 * span store keys rows by span id alone, so a repeat overwrites a span of another trace.
 */
import { describe, expect, it, vi } from 'vitest';
import { spanIdHex, traceIdHex } from './random-hex.js';

describe('trace and span ids', () => {
  it('gives a million span ids without a repeat, each led by the current second', () => {
    const ids = new Set<string>();
    const before = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 1_000_000; i++) ids.add(spanIdHex());
    const after = Math.floor(Date.now() / 1000);
    expect(ids.size).toBe(1_000_000);
    for (const id of [...ids].slice(0, 1000)) {
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      const second = Number.parseInt(id.slice(0, 8), 16);
      expect(second).toBeGreaterThanOrEqual(before);
      expect(second).toBeLessThanOrEqual(after);
    }
  });

  it('counts up within a second and starts each second at a random number', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const base = Date.UTC(2026, 10, 27, 12, 0, 0);
      const firsts: number[] = [];
      for (let s = 0; s < 8; s++) {
        vi.setSystemTime(base + s * 1000);
        const a = spanIdHex();
        const b = spanIdHex();
        expect(Number.parseInt(a.slice(0, 8), 16)).toBe(base / 1000 + s);
        // Rows of one second land next to each other.
        expect((Number.parseInt(b.slice(8), 16) - Number.parseInt(a.slice(8), 16)) >>> 0).toBe(1);
        firsts.push(Number.parseInt(a.slice(8), 16));
      }
      // A plain counter would carry on from the last second; another process would then meet it.
      const carriedOn = firsts.slice(1).filter((f, i) => f === (firsts[i]! + 2) >>> 0).length;
      expect(carriedOn).toBeLessThan(2);
      expect(new Set(firsts).size).toBe(8);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leads trace ids with the millisecond clock and 80 random bits', () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, traceIdHex);
    const after = Date.now();
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const ms = Number.parseInt(id.slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
  });
});
