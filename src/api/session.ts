/** API.md §1: the browser session. */
import { ApiError, request } from './request.js';
import type { LogoutAnswer, SessionAnswer, SessionUser } from './types.js';

/** The logged-in user, or null when there is no valid session. */
export async function getSession(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    return (await request<SessionAnswer>('GET', '/api/auth/session', { signal, quiet401: true })).user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function login(key: string): Promise<SessionUser> {
  return (await request<SessionAnswer>('POST', '/api/auth/login', { body: { key }, quiet401: true })).user;
}

export async function logout(): Promise<void> {
  await request<LogoutAnswer>('POST', '/api/auth/logout', { quiet401: true });
}
