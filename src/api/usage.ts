/** API.md §7: usage statistics. */
import { queryString, request } from './request.js';
import type { UsageGroupBy, UsageRow, UsageStatsAnswer } from './types.js';

/** One row per group (a day, model, provider, app or user) of the range. */
export async function getUsageStats(
  params: { from?: string; to?: string; groupBy: UsageGroupBy; userDid?: string },
  signal?: AbortSignal,
): Promise<UsageRow[]> {
  return (await request<UsageStatsAnswer>('GET', `/api/usage/stats${queryString(params)}`, { signal })).data;
}
