/**
 * Exact decimal helpers for credits and rates. Values travel as decimal strings and are only ever
 * computed with decimal.js, never through binary floating point.
 */
import Decimal from 'decimal.js';

const Exact = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -100, toExpPos: 100 });

const DECIMAL_RE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A non-negative plain decimal: `0`, `12`, `0.000002`, `.5`. No sign, exponent or spaces. */
export function isDecimalString(value: string): boolean {
  return DECIMAL_RE.test(value.trim());
}

/** Canonical form: no exponent, no trailing zeros, no leading `+`. Throws on a non-decimal. */
export function normalizeDecimal(value: string): string {
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(value.trim())) throw new Error(`Not a decimal: ${value}`);
  return new Exact(value.trim()).toFixed();
}

export type CostUnit = 'per_million_tokens' | 'per_unit';

export interface DeriveRateInput {
  /** Price the provider charges, in currency units: per 1M tokens, or per image for `per_unit`. */
  unitCost: string;
  /** Margin in percent on top of the cost, e.g. `20` for +20 %. May be `0`. */
  marginPercent: string;
  /** How many credits one currency unit buys. Default `1`. */
  creditsPerUnit?: string;
  unit?: CostUnit;
  /** Round the result to this many decimal places (half up). Default: 20. */
  maxDecimals?: number;
}

/**
 * Credits per token (or per image) from a provider cost and a margin:
 * `cost ÷ 1,000,000 × (1 + margin ÷ 100) × creditsPerUnit`.
 */
export function deriveRate(input: DeriveRateInput): string {
  const { unitCost, marginPercent, creditsPerUnit = '1', unit = 'per_million_tokens', maxDecimals = 20 } = input;
  for (const [name, value] of [
    ['unitCost', unitCost],
    ['creditsPerUnit', creditsPerUnit],
  ] as const) {
    if (!isDecimalString(value)) throw new Error(`${name} must be a non-negative decimal, got "${value}"`);
  }
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(marginPercent.trim())) {
    throw new Error(`marginPercent must be a decimal, got "${marginPercent}"`);
  }
  const margin = new Exact(marginPercent.trim());
  if (margin.lessThan(-100)) throw new Error('marginPercent cannot be below -100');
  let rate = new Exact(unitCost.trim()).times(new Exact(1).plus(margin.dividedBy(100))).times(new Exact(creditsPerUnit.trim()));
  if (unit === 'per_million_tokens') rate = rate.dividedBy(1_000_000);
  return rate.toDecimalPlaces(maxDecimals, Decimal.ROUND_HALF_UP).toFixed();
}

/** The per-token cost for `unitCosts` on the wire (per-image costs pass through). */
export function costPerToken(unitCost: string, unit: CostUnit = 'per_million_tokens'): string {
  if (!isDecimalString(unitCost)) throw new Error(`Not a non-negative decimal: ${unitCost}`);
  const cost = new Exact(unitCost.trim());
  return (unit === 'per_million_tokens' ? cost.dividedBy(1_000_000) : cost).toFixed();
}

/** Inverse of `costPerToken`, for showing a stored per-token cost as a price per 1M tokens. */
export function costPerMillion(perToken: string): string {
  return new Exact(perToken.trim()).times(1_000_000).toFixed();
}

/** Sum of decimal strings, exactly. Non-decimal entries count as zero. */
export function sumDecimals(values: readonly string[]): string {
  let total = new Exact(0);
  for (const value of values) {
    try {
      total = total.plus(new Exact(value.trim()));
    } catch {
      // skip anything that is not a number
    }
  }
  return total.toFixed();
}

/** For display: at most `decimals` places (half up), trailing zeros removed; the input on failure. */
export function formatDecimal(value: string | null | undefined, decimals = 6): string {
  if (value === null || value === undefined || value === '') return '0';
  try {
    return new Exact(String(value).trim()).toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP).toFixed();
  } catch {
    return String(value);
  }
}

/** Compare two decimal strings: -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  return new Exact(a).comparedTo(new Exact(b));
}
