/** The limits stored with keys (and codes that will become keys) are the wire's shape, kept as JSON. */
export type { BudgetPeriod, KeyLimits } from '../../wire/limits.js';
