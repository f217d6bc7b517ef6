/**
 * Call durations as histograms with fixed log-spaced bins (DDSketch's logarithmic mapping at a
 * relative accuracy of 0.9 %): a bin's value is within 0.9 % of every duration in it, so a
 * percentile read from merged histograms and rounded to the millisecond is within 1.8 % of the
 * exact one, and exact under 56 ms. Bin 0 holds 0 ms. Bins are additive: histograms merge by
 * adding counts, in any order.
 *
 * Three forms: a Map while counting, JSON text `{"bin":count}` in the hourly buckets (merged by the
 * database in the bucket's upsert), and varint bytes in the roll-ups (read many at a time).
 */
const ACCURACY = 0.009;
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Bin of the longest duration an INTEGER column holds (2^31 ms); longer ones share it. */
export const MAX_BIN = 1 + Math.ceil(Math.log(2 ** 31) / LOG_GAMMA);

export type DurationBins = Map<number, number>;

export function binOf(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(MAX_BIN, 1 + Math.ceil(Math.log(ms) / LOG_GAMMA));
}

/** The whole milliseconds a bin stands for. */
export function valueOfBin(bin: number): number {
  return bin <= 0 ? 0 : Math.round((2 * GAMMA ** (bin - 1)) / (GAMMA + 1));
}

export function addDuration(bins: DurationBins, ms: number | null | undefined, count = 1): void {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return;
  const bin = binOf(ms);
  bins.set(bin, (bins.get(bin) ?? 0) + count);
}

export function mergeBins(into: DurationBins, from: DurationBins): void {
  for (const [bin, n] of from) into.set(bin, (into.get(bin) ?? 0) + n);
}

export function binsToJson(bins: DurationBins): string | null {
  if (bins.size === 0) return null;
  const o: Record<number, number> = {};
  for (const [bin, n] of bins) o[bin] = n;
  return JSON.stringify(o);
}

export function binsFromJson(text: string | null | undefined, into: DurationBins = new Map()): DurationBins {
  if (!text) return into;
  const o = JSON.parse(text) as Record<string, number>;
  for (const key in o) {
    const bin = Number(key);
    into.set(bin, (into.get(bin) ?? 0) + Number(o[key]));
  }
  return into;
}

/** Bins ascending, each as (distance from the previous bin, count), both LEB128 varints. */
export function binsToBytes(bins: DurationBins): Buffer | null {
  if (bins.size === 0) return null;
  const sorted = [...bins.keys()].sort((a, b) => a - b);
  const out: number[] = [];
  let previous = 0;
  for (const bin of sorted) {
    varint(out, bin - previous);
    varint(out, bins.get(bin)!);
    previous = bin;
  }
  return Buffer.from(out);
}

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** Calls `fn` with each (bin, count) of `binsToBytes` output. */
export function forEachBin(bytes: Uint8Array, fn: (bin: number, count: number) => void): void {
  let i = 0;
  let bin = 0;
  const read = () => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[i++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  };
  while (i < bytes.length) {
    bin += read();
    fn(bin, read());
  }
}

export function binsFromBytes(bytes: Uint8Array | null | undefined, into: DurationBins = new Map()): DurationBins {
  if (bytes) forEachBin(bytes, (bin, n) => into.set(bin, (into.get(bin) ?? 0) + n));
  return into;
}

/** Dense counts per bin, for adding up many histograms at a time. */
export class DurationCounts {
  readonly counts = new Float64Array(MAX_BIN + 1);
  total = 0;

  addBins(bins: DurationBins): void {
    for (const [bin, n] of bins) this.add(bin, n);
  }

  add(bin: number, n: number): void {
    this.counts[Math.min(Math.max(bin, 0), MAX_BIN)]! += n;
    this.total += n;
  }

  addJson(text: string | null | undefined): void {
    if (!text) return;
    const o = JSON.parse(text) as Record<string, number>;
    for (const key in o) this.add(Number(key), Number(o[key]));
  }

  addBytes(bytes: Uint8Array | null | undefined): void {
    if (bytes) forEachBin(bytes, (bin, n) => this.add(bin, n));
  }

  /** Nearest-rank percentile (the smallest duration with at least p % of the calls at or below it). */
  percentile(p: number): number | null {
    if (this.total <= 0) return null;
    const rank = Math.max(1, Math.ceil((this.total * p) / 100));
    let seen = 0;
    for (let bin = 0; bin <= MAX_BIN; bin++) {
      seen += this.counts[bin]!;
      if (seen >= rank) return valueOfBin(bin);
    }
    return valueOfBin(MAX_BIN);
  }
}
