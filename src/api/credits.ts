/** API.md §7: credits. */
import { queryString, request } from './request.js';
import type { Credits, CreditTransaction, GrantInput, GrantView, Page } from './types.js';

export async function getCredits(signal?: AbortSignal): Promise<Credits> {
  return request<Credits>('GET', '/api/user/credits', { signal });
}

export async function listCreditTransactions(
  params: { limit?: number; cursor?: string } = {},
  signal?: AbortSignal,
): Promise<Page<CreditTransaction>> {
  return request<Page<CreditTransaction>>('GET', `/api/user/credits/transactions${queryString(params)}`, { signal });
}

export async function grantCredits(input: GrantInput): Promise<GrantView> {
  return request<GrantView>('POST', '/api/credits/grants', { body: input });
}
