/** API.md §14: what a key (and later an app or a user) may use. `null` in a field: no limit of its own. */
export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

export interface KeyLimits {
  rpm: number | null;
  tpm: number | null;
  maxConcurrent: number | null;
  /** Exact `provider/model`, bare names and `*` globs. */
  models: string[] | null;
  /** Credits as a decimal string. */
  budget: { credits: string; period: BudgetPeriod } | null;
}
