/**
 * The credits of a call in nano-credits: `computeCreditsNano` (exact decimals) with a fast path for
 * the common case of rates that are whole numbers of nano-credits per unit, where the same formula
 * in safe integers gives the same exact result without building decimals on every call.
 */
import { computeCreditsNano, type PricedUsage } from '../billing/pricing.js';

type Rate = NonNullable<Parameters<typeof computeCreditsNano>[0]>;

interface NanoRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

const RATE = /^(\d+)(?:\.(\d{1,9})0*)?$/;

/** A decimal rate as whole nano-credits, or null when it has a finer part or is too large. */
export function rateToNano(rate: string): number | null {
  const m = RATE.exec(rate);
  if (!m) return null;
  const nano = Number(m[1]) * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
  return Number.isSafeInteger(nano) ? nano : null;
}

const nanoRates = new WeakMap<Rate, NanoRates | null>();

function nanoRatesOf(rate: Rate): NanoRates | null {
  let n = nanoRates.get(rate);
  if (n !== undefined) return n;
  const input = rateToNano(rate.inputRate);
  const output = rateToNano(rate.outputRate);
  const cacheRead = rateToNano(rate.cacheReadRate ?? rate.inputRate);
  const cacheWrite = rateToNano(rate.cacheWriteRate ?? rate.inputRate);
  n = input === null || output === null || cacheRead === null || cacheWrite === null ? null : { input, output, cacheRead, cacheWrite };
  nanoRates.set(rate, n);
  return n;
}

const safe = (v: number): number => {
  if (!Number.isSafeInteger(v)) throw new RangeError('beyond safe integers');
  return v;
};

export function chargeNano(rate: Rate | undefined, usage: PricedUsage): number {
  if (!rate) return 0;
  const n = nanoRatesOf(rate);
  if (n) {
    try {
      if (rate.type === 'imageGeneration') return safe(safe(n.output * (usage.images ?? 0)) + safe(n.input * usage.inputTokens));
      if (rate.type === 'audio') return safe(n.input * ((usage.seconds ?? 0) + (usage.characters ?? 0)));
      if (rate.type === 'video') return safe(n.output * (usage.seconds ?? 0));
      const cacheRead = usage.cacheReadTokens ?? 0;
      const cacheWrite = usage.cacheWriteTokens ?? 0;
      const uncached = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
      return safe(safe(n.input * uncached) + safe(n.output * usage.outputTokens) + safe(n.cacheRead * cacheRead) + safe(n.cacheWrite * cacheWrite));
    } catch {
      // too large for safe integers: the exact decimal path decides
    }
  }
  return computeCreditsNano(rate, usage);
}
