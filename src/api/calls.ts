/** API.md §7: the call log. */
import { queryString, request } from './request.js';
import type { ModelCall, ModelCallFilters, Page } from './types.js';

export async function listModelCalls(filters: ModelCallFilters = {}, signal?: AbortSignal): Promise<Page<ModelCall>> {
  return request<Page<ModelCall>>('GET', `/api/model-calls${queryString(filters)}`, { signal });
}

export function modelCallsExportUrl(filters: ModelCallFilters = {}): string {
  const { cursor: _cursor, limit: _limit, ...rest } = filters;
  return `/api/model-calls/export${queryString(rest)}`;
}

/**
 * Credits of one call. Settlement happens just after the stream ends, so poll the caller's recent
 * calls a few times until the row is no longer `processing`.
 */
export async function findModelCall(
  callId: string,
  options: { userDid?: string; attempts?: number; delayMs?: number; signal?: AbortSignal } = {},
): Promise<ModelCall | null> {
  const attempts = options.attempts ?? 5;
  const delayMs = options.delayMs ?? 400;
  let found: ModelCall | null = null;
  for (let i = 0; i < attempts; i++) {
    const page = await listModelCalls({ userDid: options.userDid, limit: 20 }, options.signal);
    found = page.data.find((call) => call.id === callId) ?? null;
    if (found && found.status !== 'processing') return found;
    if (i < attempts - 1) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return found;
}
