/** What the admin API answers for providers, credentials and rates (API.md §5); secrets stay masked. */
import type { AiCredential } from '../../store/models/ai-credential.js';
import type { AiModelRate, RateType } from '../../store/models/ai-model-rate.js';

export interface CredentialView {
  id: string;
  providerId: string;
  name: string;
  credentialType: string;
  maskedValue: Record<string, string>;
  weight: number;
  status: 'active' | 'cooldown' | 'disabled';
  cooldownUntil: string | null;
  disabledReason: string | null;
  failureCount: number;
  usageCount: number;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface RateView {
  id: string;
  providerId: string;
  model: string;
  type: RateType;
  inputRate: string;
  outputRate: string;
  cacheReadRate: string | null;
  cacheWriteRate: string | null;
  unitCosts: { input: string; output: string } | null;
  modelMetadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderView {
  id: string;
  name: string;
  displayName: string;
  baseUrl: string | null;
  effectiveBaseUrl: string | null;
  region: string | null;
  enabled: boolean;
  rank: number;
  config: Record<string, unknown> | null;
  capabilities: string[];
  credentials: CredentialView[];
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function credentialStatus(row: Pick<AiCredential, 'status' | 'cooldownUntil'>, now = Date.now()) {
  if (row.status === 'disabled') return 'disabled' as const;
  if (row.cooldownUntil && row.cooldownUntil.getTime() > now) return 'cooldown' as const;
  return 'active' as const;
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
