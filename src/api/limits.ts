/** API.md §14: limits of keys, apps and users (admin), what they have used, and the caller's own. */
import type { AccessKeyView, AppView } from '../../api/wire/keys.js';
import type { KeyLimits, LimitReport, LimitUsageAnswer } from '../../api/wire/limits.js';
import { enc, request } from './request.js';

export type { LimitReport, LimitUsageAnswer, LimitUsed } from '../../api/wire/limits.js';

/** A user as the admin's users list shows it. */
export interface UserView {
  did: string;
  name: string | null;
  role: 'admin' | 'member';
  limits: KeyLimits | null;
  createdAt: string;
}

export async function setKeyLimits(id: string, limits: KeyLimits | null): Promise<AccessKeyView> {
  return request<AccessKeyView>('PUT', `/api/access-keys/${enc(id)}`, { body: { limits } });
}

export async function setAppLimits(id: string, limits: KeyLimits | null): Promise<AppView> {
  return request<AppView>('PUT', `/api/apps/${enc(id)}`, { body: { limits } });
}

export async function listUsers(signal?: AbortSignal): Promise<UserView[]> {
  return request<UserView[]>('GET', '/api/users', { signal });
}

export async function setUserLimits(did: string, limits: KeyLimits | null): Promise<UserView> {
  return request<UserView>('PUT', `/api/users/${enc(did)}/limits`, { body: { limits } });
}

export async function getLimitUsage(signal?: AbortSignal): Promise<LimitUsageAnswer> {
  return request<LimitUsageAnswer>('GET', '/api/limits/usage', { signal });
}

export async function getMyLimits(signal?: AbortSignal): Promise<LimitReport> {
  return request<LimitReport>('GET', '/api/user/limits', { signal });
}
