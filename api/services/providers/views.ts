/** Rows as the admin API answers them (API.md §5, api/wire/providers.ts); secrets stay masked. */
import type { ProviderManifest } from '../../providers/types.js';
import type { AiCredential } from '../../store/models/ai-credential.js';
import type { AiModelRate } from '../../store/models/ai-model-rate.js';
import type { CatalogEntry, CredentialStatus, CredentialView, RateView } from '../../wire/providers.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function credentialStatus(row: Pick<AiCredential, 'status' | 'cooldownUntil'>, now = Date.now()): CredentialStatus {
  if (row.status === 'disabled') return 'disabled';
  if (row.cooldownUntil && row.cooldownUntil.getTime() > now) return 'cooldown';
  return 'active';
}

export function toCredentialView(row: AiCredential): CredentialView {
  const status = credentialStatus(row);
  return {
    id: row.id,
    providerId: row.providerId,
    name: row.name,
    credentialType: row.credentialType,
    maskedValue: row.maskedValue,
    weight: row.weight,
    status,
    cooldownUntil: status === 'cooldown' ? iso(row.cooldownUntil) : null,
    disabledReason: row.status === 'disabled' ? row.disabledReason : null,
    failureCount: row.failureCount,
    usageCount: row.usageCount,
    lastUsedAt: iso(row.lastUsedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export function toRateView(row: AiModelRate): RateView {
  return {
    id: row.id,
    providerId: row.providerId,
    model: row.model,
    type: row.type,
    inputRate: row.inputRate,
    outputRate: row.outputRate,
    cacheReadRate: row.cacheReadRate,
    cacheWriteRate: row.cacheWriteRate,
    unitCosts: row.unitCosts,
    modelMetadata: row.modelMetadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toCatalogEntry(m: ProviderManifest): CatalogEntry {
  return {
    id: m.id,
    displayName: m.displayName,
    credentialType: m.credentialType,
    credentialFields: m.credentialFields,
    defaultBaseUrl: m.defaultBaseUrl ?? null,
    requiresBaseUrl: Boolean(m.requiresBaseUrl),
    capabilities: m.capabilities,
    env: m.env ?? {},
  };
}
