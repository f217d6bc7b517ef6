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

/** What a limited key, app or user has used of its limits now (null: that limit is not set). */
export interface LimitUsed {
  /** Requests and tokens in this minute's window. */
  requests: number | null;
  tokens: number | null;
  /** Calls open now. */
  concurrent: number | null;
  /** Credits spent in the budget's period, a decimal string. */
  budgetCredits: string | null;
}

/** `GET /api/user/limits`: every limit that applies to the caller, whose it is, and what remains of it. */
export interface LimitReport {
  subjects: {
    kind: 'key' | 'app' | 'user';
    limits: KeyLimits;
    /** True for a member key's limits from `DEFAULT_KEY_LIMITS`. */
    default: boolean;
    used: LimitUsed;
    remaining: LimitUsed;
    resetsAt: { requests: string | null; tokens: string | null; budget: string | null };
  }[];
}

/** `GET /api/limits/usage` (admin): what each limited key, app and user has used now, by id (users by DID). */
export interface LimitUsageAnswer {
  defaultKeyLimits: KeyLimits | null;
  keys: Record<string, LimitUsed>;
  apps: Record<string, LimitUsed>;
  users: Record<string, LimitUsed>;
}
