import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, planSegments, TIER_MS, TIERS, type Segment } from './rollup-tiers.js';

const ALL = TIERS;
const at = (iso: string) => new Date(iso).getTime();

/** The segments cover [from, to) once, in order; each tier segment is made of whole aligned blocks. */
function expectCover(segments: Segment[], from: number, to: number) {
  let t = from;
  for (const s of segments) {
    expect(s.start).toBe(t);
    expect(s.end).toBeGreaterThan(s.start);
    if (s.source !== 'calls' && s.source !== 'buckets') {
      expect(s.start % TIER_MS[s.source]).toBe(0);
      expect((s.end - s.start) % TIER_MS[s.source]).toBe(0);
    }
    t = s.end;
  }
  expect(t).toBe(to);
}

describe('planSegments', () => {
  it('reads a long range from the largest blocks, the hours at its ends from the buckets and calls', () => {
    const from = at('2026-01-03T10:20:00Z');
    const to = at('2026-10-01T05:30:00Z');
    const segments = planSegments(from, to, { tiers: ALL, rolledUntil: to, stale: [] });
    expectCover(segments, from, to);
    expect(segments[0]).toEqual({ source: 'calls', start: from, end: at('2026-01-03T11:00:00Z') });
    expect(segments.at(-1)).toEqual({ source: 'calls', start: at('2026-10-01T05:00:00Z'), end: to });
    const covered = (source: string) => segments.filter((s) => s.source === source).reduce((n, s) => n + s.end - s.start, 0);
    expect(covered('day64')).toBeGreaterThanOrEqual(3 * TIER_MS.day64);
    expect(covered('buckets')).toBe(0);
    expect(segments.length).toBeLessThan(16);
  });

  it('reads what the job has not rolled up, and stale hours, from the buckets', () => {
    const from = at('2026-03-01T00:00:00Z');
    const to = at('2026-03-20T00:00:00Z');
    const rolledUntil = at('2026-03-15T06:00:00Z');
    const stale = [at('2026-03-05T13:00:00Z')];
    const segments = planSegments(from, to, { tiers: ALL, rolledUntil, stale });
    expectCover(segments, from, to);
    const buckets = segments.filter((s) => s.source === 'buckets');
    expect(buckets).toEqual([
      { source: 'buckets', start: stale[0], end: stale[0]! + HOUR_MS },
      { source: 'buckets', start: rolledUntil, end: to },
    ]);
    // Nothing that holds the stale hour is read from a roll-up.
    for (const s of segments) if (s.source !== 'buckets') expect(s.start > stale[0]! || s.end <= stale[0]!).toBe(true);
  });

  it('keeps to the tiers it is given: whole days for a daily series, buckets below them for one user', () => {
    const from = at('2026-05-01T07:00:00Z');
    const to = at('2026-06-30T07:00:00Z');
    const daily = planSegments(from, to, { tiers: ['hour', 'day'], rolledUntil: to, stale: [] });
    expectCover(daily, from, to);
    expect(new Set(daily.map((s) => s.source))).toEqual(new Set(['hour', 'day']));
    const user = planSegments(from, to, { tiers: ['day', 'day8', 'day64'], rolledUntil: to, stale: [] });
    expectCover(user, from, to);
    expect(user[0]).toEqual({ source: 'buckets', start: from, end: at('2026-05-02T00:00:00Z') });
    expect(user.some((s) => s.source === 'day8')).toBe(true);
  });

  it('reads a range inside one hour, or across one hour end, from the calls', () => {
    const from = at('2026-05-01T07:10:00Z');
    expect(planSegments(from, from + 20 * 60_000, { tiers: ALL, rolledUntil: from + DAY_MS, stale: [] })).toEqual([{ source: 'calls', start: from, end: from + 20 * 60_000 }]);
    expect(planSegments(from, from + HOUR_MS, { tiers: ALL, rolledUntil: from + DAY_MS, stale: [] })).toEqual([{ source: 'calls', start: from, end: from + HOUR_MS }]);
    expect(planSegments(from, from, { tiers: ALL, rolledUntil: 0, stale: [] })).toEqual([]);
  });
});
