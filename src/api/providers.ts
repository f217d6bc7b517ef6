/** API.md §5: providers, credentials and model rates (admin). */
import { ApiError, enc, request } from './request.js';
import type {
  CatalogEntry,
  CreateCredentialInput,
  CreateProviderInput,
  Credential,
  CredentialTestAnswer,
  CredentialTestResult,
  ModelRate,
  ModelRateInput,
  Provider,
  UpdateCredentialInput,
  UpdateProviderInput,
} from './types.js';

const providerPath = (id: string) => `/api/ai-providers/${enc(id)}`;
const credentialPath = (providerId: string, id: string) => `${providerPath(providerId)}/credentials/${enc(id)}`;
const ratePath = (providerId: string, id: string) => `${providerPath(providerId)}/model-rates/${enc(id)}`;

export async function listProviders(signal?: AbortSignal): Promise<Provider[]> {
  return request<Provider[]>('GET', '/api/ai-providers', { signal });
}

export async function getProviderCatalog(signal?: AbortSignal): Promise<CatalogEntry[]> {
  return request<CatalogEntry[]>('GET', '/api/ai-providers/catalog', { signal });
}

export async function createProvider(input: CreateProviderInput): Promise<Provider> {
  return request<Provider>('POST', '/api/ai-providers', { body: input });
}

export async function updateProvider(id: string, input: UpdateProviderInput): Promise<Provider> {
  return request<Provider>('PUT', providerPath(id), { body: input });
}

export async function deleteProvider(id: string): Promise<void> {
  await request<void>('DELETE', providerPath(id));
}

export async function addCredential(providerId: string, input: CreateCredentialInput): Promise<Credential> {
  return request<Credential>('POST', `${providerPath(providerId)}/credentials`, { body: input });
}

export async function updateCredential(providerId: string, credentialId: string, input: UpdateCredentialInput): Promise<Credential> {
  return request<Credential>('PUT', credentialPath(providerId, credentialId), { body: input });
}

export async function deleteCredential(providerId: string, credentialId: string): Promise<void> {
  await request<void>('DELETE', credentialPath(providerId, credentialId));
}

/**
 * The hub answers a test that reached the provider with `{ok}` (and the provider's reason); a test
 * that failed on the way (the hub or the network) is shown as a failed test too.
 */
export async function testCredential(providerId: string, credentialId: string): Promise<CredentialTestResult> {
  try {
    const answer = await request<CredentialTestAnswer>('POST', `${credentialPath(providerId, credentialId)}/test`);
    return answer.ok ? { ok: true } : { ok: false, message: answer.error };
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401 && error.status !== 403 && error.status !== 404) {
      return { ok: false, message: error.message };
    }
    throw error;
  }
}

export async function listModelRates(providerId: string, signal?: AbortSignal): Promise<ModelRate[]> {
  return request<ModelRate[]>('GET', `${providerPath(providerId)}/model-rates`, { signal });
}

export async function createModelRate(providerId: string, input: ModelRateInput): Promise<ModelRate> {
  return request<ModelRate>('POST', `${providerPath(providerId)}/model-rates`, { body: input });
}

export async function updateModelRate(providerId: string, rateId: string, input: Partial<ModelRateInput>): Promise<ModelRate> {
  return request<ModelRate>('PUT', ratePath(providerId, rateId), { body: input });
}

export async function deleteModelRate(providerId: string, rateId: string): Promise<void> {
  await request<void>('DELETE', ratePath(providerId, rateId));
}
