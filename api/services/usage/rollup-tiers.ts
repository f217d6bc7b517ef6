/**
 * The roll-up tiers and how a time range is read from them. Blocks of a tier are aligned to the
 * epoch (UTC). A block is read from its tier when it lies wholly inside the range, the roll-up job
 * has passed its end and none of its hours is stale; otherwise its parts are read from the tier
 * below, whole hours from the buckets at the bottom, and the partial hours at the range's ends from
 * the call rows.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type Tier = 'hour' | 'day' | 'day8' | 'day64';
export const TIER_MS: Record<Tier, number> = { hour: HOUR_MS, day: DAY_MS, day8: 8 * DAY_MS, day64: 64 * DAY_MS };
/** Bottom to top; each block of a tier is made of whole blocks of the one before. */
export const TIERS: readonly Tier[] = ['hour', 'day', 'day8', 'day64'];

export type Source = Tier | 'buckets' | 'calls';

export interface Segment {
  source: Source;
  start: number;
  end: number;
}

export interface PlanOptions {
  /** Tiers the query may read, bottom to top. */
  tiers: readonly Tier[];
  /** Every hour before this one has been rolled up. */
  rolledUntil: number;
  /** Starts of the hours whose roll-ups are out of date, ascending. */
  stale: readonly number[];
}

/** Whether a sorted list holds a value in [start, end). */
function anyWithin(sorted: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! < end;
}

/** The sources that together cover [from, to) once, in time order, neighbours of one source merged. */
export function planSegments(from: number, to: number, options: PlanOptions): Segment[] {
  const segments: Segment[] = [];
  const push = (source: Source, start: number, end: number) => {
    if (start >= end) return;
    const last = segments.at(-1);
    if (last && last.source === source && last.end === start) last.end = end;
    else segments.push({ source, start, end });
  };
  const cover = (a: number, b: number, level: number) => {
    if (level < 0) return push('buckets', a, b);
    const tier = options.tiers[level]!;
    const size = TIER_MS[tier];
    for (let t = a; t < b; ) {
      const start = Math.floor(t / size) * size;
      const end = start + size;
      const stop = Math.min(end, b);
      if (start >= a && end <= b && end <= options.rolledUntil && !anyWithin(options.stale, start, end)) push(tier, start, end);
      else cover(t, stop, level - 1);
      t = stop;
    }
  };
  if (from >= to) return segments;
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (firstHour >= lastHour) {
    push('calls', from, to);
    return segments;
  }
  push('calls', from, firstHour);
  cover(firstHour, lastHour, options.tiers.length - 1);
  push('calls', lastHour, to);
  return segments;
}
