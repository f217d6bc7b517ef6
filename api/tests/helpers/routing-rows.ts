/**
 * Rows for the routing table's tests: providers, credentials (their value stored as plain JSON, which
 * the tests' `openCredential` reads back) and model rates, each with a fresh id.
 */
import type { Models } from '../../store/models/index.js';

let n = 0;

export function providerRow(models: Models, name: string, patch: Record<string, unknown> = {}) {
  return models.AiProvider.create({ id: `p-${name}-${++n}`, name, displayName: name.toUpperCase(), baseUrl: null, region: null, enabled: true, rank: 100, config: null, ...patch } as never);
}

/**
 * A credential whose value is `value` (a string as it is, else as JSON), by default an API key of its
 * own; its state (active, weight 100, no failures or uses) is the model's defaults.
 */
export function credentialRow(models: Models, providerId: string, value?: unknown, patch: Record<string, unknown> = {}) {
  const id = ++n;
  const encryptedValue = typeof value === 'string' ? value : JSON.stringify(value ?? { api_key: `key-${id}` });
  return models.AiCredential.create({ id: `c-${id}`, providerId, name: `k${id}`, encryptedValue, maskedValue: {}, ...patch } as never);
}

export function rateRow(models: Models, providerId: string, model: string, type = 'chatCompletion', patch: Record<string, unknown> = {}) {
  return models.AiModelRate.create({ id: `r-${++n}`, providerId, model, type, inputRate: '1', outputRate: '2', cacheReadRate: null, cacheWriteRate: null, unitCosts: null, modelMetadata: null, ...patch } as never);
}
