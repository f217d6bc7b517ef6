/**
 * The arithmetic of rates built from a price table, in exact decimals: the hub's rates are credits
 * per token, the table's prices USD per 1M tokens, so a rate is
 * `price ÷ 1,000,000 × (1 + margin) × creditsPerUsd` and a cost is the same without the margin.
 */
import { Decimal, normalizeDecimal } from '../../lib/decimal.js';

/** Inputs are bounded (20 significant digits each) so that every product stays exact at 60 digits. */
const MAX_DIGITS = 20;

/** A non-negative decimal string of at most 20 significant digits, normalized; null otherwise. */
export function boundedDecimal(value: unknown): string | null {
  const d = normalizeDecimal(value);
  if (d === null) return null;
  return new Decimal(d).precision(true) <= MAX_DIGITS ? d : null;
}

/** Credits per token for a price in USD per 1M tokens. */
export function rateFromPrice(pricePer1M: string, margin: string, creditsPerUsd: string): string {
  return new Decimal(pricePer1M).times(new Decimal(1).plus(margin)).times(creditsPerUsd).dividedBy(1_000_000).toFixed();
}

/** USD per token for a price in USD per 1M tokens (what a rate's `unitCosts` hold). */
export function costPerToken(pricePer1M: string): string {
  return new Decimal(pricePer1M).dividedBy(1_000_000).toFixed();
}

/** Credits per token that a price costs the hub (no margin). */
export function costInCredits(pricePer1M: string, creditsPerUsd: string): string {
  return rateFromPrice(pricePer1M, '0', creditsPerUsd);
}

/** A rate in credits per token, shown per 1M tokens. */
export function per1M(rate: string): string {
  return new Decimal(rate).times(1_000_000).toFixed();
}

/** `rate ÷ cost − 1` in percent, rounded to 2 places; null when the cost is zero. */
export function marginPercent(rate: string, cost: string): string | null {
  const c = new Decimal(cost);
  if (c.isZero()) return null;
  return new Decimal(rate).dividedBy(c).minus(1).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed();
}

/** Whether `a` differs from `b` by more than `percent` of `b` (never when `b` is zero and `a` is too). */
export function driftsBeyond(a: string, b: string, percent: number): boolean {
  const base = new Decimal(b);
  const diff = new Decimal(a).minus(base).abs();
  if (base.isZero()) return !diff.isZero();
  return diff.dividedBy(base).times(100).greaterThan(percent);
}

export const isBelow = (a: string, b: string): boolean => new Decimal(a).lessThan(b);
