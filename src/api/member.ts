/**
 * What a signed-in user does for themselves: their own keys (API.md §16), approving an app that asks
 * for one, and who they are and where they buy credits (§13).
 */
import { request } from './client';
import type { AccessKey, CreatedAccessKey } from './types';

/** API.md §14 limits a key carries. */
export interface KeyLimits {
  rpm: number | null;
  tpm: number | null;
  maxConcurrent: number | null;
  models: string[] | null;
  budget: { credits: string; period: 'day' | 'week' | 'month' | 'total' } | null;
}

export interface MyKey extends AccessKey {
  keyPrefix: string;
  limits: KeyLimits | null;
  /** The key's calls and credits since the start of this (UTC) month. */
  usage: { since: string; calls: number; credits: string };
}

export async function listMyKeys(signal?: AbortSignal): Promise<MyKey[]> {
  return request<MyKey[]>('GET', '/api/user/access-keys', { signal });
}

export async function createMyKey(input: { name: string; expiresAt?: string }): Promise<CreatedAccessKey> {
  return request<CreatedAccessKey>('POST', '/api/user/access-keys', { body: input });
}

export async function revokeMyKey(id: string): Promise<void> {
  await request<void>('DELETE', `/api/user/access-keys/${encodeURIComponent(id)}`);
}

export interface AuthorizeRequest {
  callback_url: string;
  code_challenge: string;
  code_challenge_method: string;
  app_name: string;
  limits?: KeyLimits | null;
  state?: string;
}

/** Approves an app's request: answers where to send the browser (the app's callback with the code). */
export async function approveApp(input: AuthorizeRequest): Promise<{ redirectUrl: string }> {
  return request<{ redirectUrl: string }>('POST', '/api/auth/authorize', { body: input });
}

export interface UserInfo {
  user: { did: string; fullName: string; email: string | null; avatar: string | null };
  creditBalance: { balance: string; total: string; grantCount: number; pendingCredit: string } | null;
  paymentLink: string | null;
  profileLink: string | null;
  enableCredit: boolean;
  creditPrefix: string;
}

export async function getUserInfo(signal?: AbortSignal): Promise<UserInfo> {
  return request<UserInfo>('GET', '/api/user/info', { signal });
}
