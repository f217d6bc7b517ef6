/**
 * The shape of API.md §14 limits, and the rule of §16 that a key a member makes may only narrow
 * what they already have. Enforcing limits on calls is not done here (the limits feature does it);
 * this module only checks and compares them.
 */
import { z } from 'zod/v4';
import { BadRequestError } from '../errors.js';
import { Decimal, normalizeDecimal } from '../lib/decimal.js';
import type { BudgetPeriod, KeyLimits } from '../store/models/key-limits.js';

export type { KeyLimits };

const count = z.number().int().min(1).max(1_000_000_000).nullable().optional();
const PATTERN = /^[A-Za-z0-9._:/@+*-]+$/;

export const keyLimitsSchema = z
  .object({
    rpm: count,
    tpm: count,
    maxConcurrent: count,
    models: z
      .array(z.string().trim().min(1).max(200).regex(PATTERN, 'a model name or a pattern such as openai/*'))
      .min(1)
      .max(100)
      .nullable()
      .optional(),
    budget: z
      .object({
        credits: z.union([z.string(), z.number()]).refine((v) => normalizeDecimal(v) !== null, 'must be a non-negative decimal string such as "10"'),
        period: z.enum(['day', 'week', 'month', 'total']),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
  .transform(
    (l): KeyLimits => ({
      rpm: l.rpm ?? null,
      tpm: l.tpm ?? null,
      maxConcurrent: l.maxConcurrent ?? null,
      models: l.models ? [...new Set(l.models)] : null,
      budget: l.budget ? { credits: normalizeDecimal(l.budget.credits)!, period: l.budget.period as BudgetPeriod } : null,
    }),
  );

/** Limits that limit nothing are stored as none. */
export function isUnlimited(l: KeyLimits | null | undefined): boolean {
  return !l || (l.rpm === null && l.tpm === null && l.maxConcurrent === null && l.models === null && l.budget === null);
}

const PERIOD_RANK: Record<BudgetPeriod, number> = { day: 0, week: 1, month: 2, total: 3 };
/** How many (UTC) periods of the first kind one period of the second can touch. */
const PERIODS_WITHIN: Record<string, number> = { 'day:week': 7, 'day:month': 31, 'week:month': 6 };

/** Whether a budget can let through more, in some window, than the ceiling's budget. */
function budgetWider(want: NonNullable<KeyLimits['budget']>, max: NonNullable<KeyLimits['budget']>): boolean {
  if (want.period !== 'total' && max.period === 'total') return true;
  const times = PERIOD_RANK[want.period] >= PERIOD_RANK[max.period] ? 1 : PERIODS_WITHIN[`${want.period}:${max.period}`]!;
  return new Decimal(want.credits).times(times).greaterThan(max.credits);
}

/** `*` glob match without a regular expression (two pointers, no backtracking blow-up). */
export function globMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === text[t]) {
      g += 1;
      t += 1;
    } else if (g < glob.length && glob[g] === '*') {
      star = g;
      mark = t;
      g += 1;
    } else if (star !== -1) {
      g = star + 1;
      mark += 1;
      t = mark;
    } else return false;
  }
  while (glob[g] === '*') g += 1;
  return g === glob.length;
}

/** Whether model `pattern` only names models that `allowed` lets through (conservative: may say no to a true subset). */
export function patternCovered(pattern: string, allowed: string): boolean {
  if (allowed === pattern || allowed === '*') return true;
  const star = allowed.indexOf('*');
  if (star === -1) return false;
  if (star === allowed.length - 1) return pattern.startsWith(allowed.slice(0, -1));
  return !pattern.includes('*') && globMatch(allowed, pattern);
}

/**
 * Why `wanted` is wider than `ceiling` somewhere (field and reason), or null when it is not. A
 * field left null in `wanted` is no widening: every limit of the key, its app and its user applies
 * at once, so the ceiling's own value still holds there.
 */
export function wideningOf(wanted: KeyLimits, ceiling: KeyLimits | null): { field: string; message: string } | null {
  if (!ceiling) return null;
  for (const field of ['rpm', 'tpm', 'maxConcurrent'] as const) {
    const max = ceiling[field];
    const want = wanted[field];
    if (max !== null && want !== null && want > max) return { field, message: `${field} ${want} is above your own limit of ${max}` };
  }
  if (ceiling.models && wanted.models) {
    const outside = wanted.models.find((p) => !ceiling.models!.some((a) => patternCovered(p, a)));
    if (outside) return { field: 'models', message: `'${outside}' is not within the models you may use (${ceiling.models.join(', ')})` };
  }
  if (ceiling.budget && wanted.budget && budgetWider(wanted.budget, ceiling.budget)) {
    const [want, max] = [wanted.budget, ceiling.budget];
    return { field: 'budget', message: `a budget of ${want.credits} credits a ${want.period} can exceed your own ${max.credits} credits a ${max.period}` };
  }
  return null;
}

/** 400 when `wanted` widens any of `ceilings` (the user's own limits, the calling key's). */
export function assertNarrower(wanted: KeyLimits, ceilings: (KeyLimits | null)[]): void {
  for (const ceiling of ceilings) {
    const widening = wideningOf(wanted, ceiling);
    if (widening) {
      throw new BadRequestError(`limits.${widening.field}: ${widening.message}; a key can only narrow your limits`, {
        code: 'limits_too_wide',
        extra: { param: `limits.${widening.field}` },
      });
    }
  }
}

/**
 * A new key's limits under the key that made it: `wanted`'s, with the maker's wherever `wanted`
 * sets none (the maker's own limits do not follow the new key on their own, its user's do).
 * `wanted` is checked narrower first (assertNarrower).
 */
export function narrowest(wanted: KeyLimits | null, maker: KeyLimits | null): KeyLimits | null {
  if (!maker) return wanted;
  if (!wanted) return maker;
  const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  return {
    rpm: min(wanted.rpm, maker.rpm),
    tpm: min(wanted.tpm, maker.tpm),
    maxConcurrent: min(wanted.maxConcurrent, maker.maxConcurrent),
    models: wanted.models ?? maker.models,
    budget: wanted.budget ?? maker.budget,
  };
}
