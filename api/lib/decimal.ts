/** Exact decimal helpers. Money never passes through a binary float. */
import { Decimal as DecimalJs } from 'decimal.js';

const D = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export { D as Decimal };

/** 1 credit = 1e9 nano-credits; balances and charges are stored as whole nano-credits. */
const NANO_PER_CREDIT = 1_000_000_000;
const DECIMAL_RE = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Accepts a non-negative decimal string (or a JSON number, converted through its shortest text
 * form) and returns its normalized decimal string, or null when it is not one.
 */
export function normalizeDecimal(value: unknown): string | null {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = new D(value).toFixed();
  else return null;
  if (!DECIMAL_RE.test(text)) return null;
  return new D(text).toFixed();
}

/** Credits (decimal string) → nano-credits, rounded half-up to the nearest nano-credit. */
export function creditsToNano(credits: string | InstanceType<typeof D>): number {
  const n = new D(credits).times(NANO_PER_CREDIT).toDecimalPlaces(0, D.ROUND_HALF_UP);
  if (n.abs().greaterThan(Number.MAX_SAFE_INTEGER)) throw new RangeError('Amount out of range');
  return n.toNumber();
}

/** Nano-credits → credits as a decimal string without trailing zeros. */
export function nanoToCredits(nano: number | bigint | string): string {
  return new D(String(nano)).dividedBy(NANO_PER_CREDIT).toFixed();
}
