/** API.md §15: the notifications kept for admins. */
import { request } from './request.js';
import type { NotificationsAnswer } from './types.js';

export async function listNotifications(limit = 20, signal?: AbortSignal): Promise<NotificationsAnswer> {
  return request<NotificationsAnswer>('GET', `/api/notifications?limit=${limit}`, { signal });
}

/** Marks these read, or every one without ids. */
export async function markNotificationsRead(ids?: string[]): Promise<{ marked: number }> {
  return request<{ marked: number }>('POST', '/api/notifications/read', { body: ids ? { ids } : {} });
}
