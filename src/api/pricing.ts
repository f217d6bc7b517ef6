/** API.md §15: the price table, rate imports, the rate check, model health and the public price list. */
import { enc, request } from './request.js';
import type { HealthAnswer, PriceCatalogAnswer, PublicPrice, RateCheckAnswer, RateImportAnswer, RateImportBody } from './types.js';

export async function getPublicPricing(signal?: AbortSignal): Promise<PublicPrice[]> {
  return request<PublicPrice[]>('GET', '/api/pricing', { signal, quiet401: true });
}

export async function getPriceCatalog(provider: string, signal?: AbortSignal): Promise<PriceCatalogAnswer> {
  return request<PriceCatalogAnswer>('GET', `/api/ai-providers/price-catalog?provider=${enc(provider)}`, { signal });
}

export async function importRates(providerId: string, body: RateImportBody): Promise<RateImportAnswer> {
  return request<RateImportAnswer>('POST', `/api/ai-providers/${enc(providerId)}/model-rates/import`, { body });
}

export async function checkRates(providerId: string, signal?: AbortSignal): Promise<RateCheckAnswer> {
  return request<RateCheckAnswer>('GET', `/api/ai-providers/rate-check?provider=${enc(providerId)}`, { signal });
}

export async function getModelHealth(signal?: AbortSignal): Promise<HealthAnswer> {
  return request<HealthAnswer>('GET', '/api/ai-providers/health', { signal });
}

export async function runModelHealthChecks(): Promise<HealthAnswer> {
  return request<HealthAnswer>('POST', '/api/ai-providers/health/check');
}
