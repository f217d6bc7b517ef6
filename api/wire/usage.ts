/** API.md §7: `GET /api/usage/stats`. */

export type UsageGroupBy = 'day' | 'model' | 'provider' | 'app' | 'user' | 'type';

export interface UsageStatRow {
  /** The group's value: a day (YYYY-MM-DD), a model, a provider id, an app id or a user DID. */
  key: string;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Decimal string. */
  credits: string;
  /** Nearest-rank percentiles of the call duration, null when no call in the group has one. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface UsageStatsAnswer {
  groupBy: UsageGroupBy;
  from: string;
  to: string;
  data: UsageStatRow[];
}
