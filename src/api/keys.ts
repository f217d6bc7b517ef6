/** API.md §6: access keys and apps (admin). */
import { enc, request } from './request.js';
import type { AccessKey, App, AppBody, CreateAccessKeyInput, CreatedAccessKey } from './types.js';

export async function listAccessKeys(signal?: AbortSignal): Promise<AccessKey[]> {
  return request<AccessKey[]>('GET', '/api/access-keys', { signal });
}

export async function createAccessKey(input: CreateAccessKeyInput): Promise<CreatedAccessKey> {
  return request<CreatedAccessKey>('POST', '/api/access-keys', { body: input });
}

export async function revokeAccessKey(id: string): Promise<void> {
  await request<void>('DELETE', `/api/access-keys/${enc(id)}`);
}

export async function listApps(signal?: AbortSignal): Promise<App[]> {
  return request<App[]>('GET', '/api/apps', { signal });
}

export async function createApp(input: AppBody): Promise<App> {
  return request<App>('POST', '/api/apps', { body: input });
}

export async function deleteApp(id: string): Promise<void> {
  await request<void>('DELETE', `/api/apps/${enc(id)}`);
}
