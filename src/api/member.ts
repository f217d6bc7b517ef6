/**
 * API.md §13 and §16: what a signed-in user does for themselves — their own keys, approving an app
 * that asks for one, who they are and where they buy credits.
 */
import type { CreatedAccessKey } from '../../api/wire/keys.js';
import type { AuthorizeAnswer, AuthorizeBody, OwnKeyBody, OwnKeyView, UserInfoAnswer } from '../../api/wire/user.js';
import { enc, request } from './request.js';

export type { KeyLimits } from '../../api/wire/limits.js';
export type { AuthorizeBody as AuthorizeRequest, OwnKeyView as MyKey, UserInfoAnswer as UserInfo } from '../../api/wire/user.js';

export async function listMyKeys(signal?: AbortSignal): Promise<OwnKeyView[]> {
  return request<OwnKeyView[]>('GET', '/api/user/access-keys', { signal });
}

export async function createMyKey(input: OwnKeyBody): Promise<CreatedAccessKey> {
  return request<CreatedAccessKey>('POST', '/api/user/access-keys', { body: input });
}

export async function revokeMyKey(id: string): Promise<void> {
  await request<void>('DELETE', `/api/user/access-keys/${enc(id)}`);
}

/** Approves an app's request: answers where to send the browser (the app's callback with the code). */
export async function approveApp(input: AuthorizeBody): Promise<AuthorizeAnswer> {
  return request<AuthorizeAnswer>('POST', '/api/auth/authorize', { body: input });
}

export async function getUserInfo(signal?: AbortSignal): Promise<UserInfoAnswer> {
  return request<UserInfoAnswer>('GET', '/api/user/info', { signal });
}
