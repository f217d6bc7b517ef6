/** API.md §5: providers, their credentials (always masked) and model rates. */
import type { DecimalInput } from './page.js';

export type Capability = 'chat' | 'embedding' | 'image' | 'audio' | 'video';
export type CredentialType = 'api_key' | 'access_key_pair' | 'custom';
/** Audio: input credits per second transcribed and per character spoken; video: output credits per second. */
export type RateType = 'chatCompletion' | 'embedding' | 'imageGeneration' | 'audio' | 'video';

export interface CredentialField {
  /** Key inside `credentialValue`, e.g. `api_key`, `access_key_id`. */
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
}

/** `GET /api/ai-providers/catalog`: one entry per provider the hub knows. */
export interface CatalogEntry {
  id: string;
  displayName: string;
  credentialType: CredentialType;
  credentialFields: CredentialField[];
  defaultBaseUrl: string | null;
  requiresBaseUrl: boolean;
  capabilities: Capability[];
  /** Environment variables read when the provider has no stored credential. */
  env: Record<string, string | undefined>;
}

export type CredentialStatus = 'active' | 'cooldown' | 'disabled';

export interface CredentialView {
  id: string;
  providerId: string;
  name: string;
  credentialType: CredentialType;
  maskedValue: Record<string, string>;
  weight: number;
  status: CredentialStatus;
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
  /** Credits per token (per image for images), as a decimal string. */
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
  capabilities: Capability[];
  credentials: CredentialView[];
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/ai-providers`; `PUT` takes any part of it. */
export interface ProviderBody {
  name: string;
  displayName?: string;
  baseUrl?: string | null;
  region?: string | null;
  enabled?: boolean;
  rank?: number;
  config?: Record<string, unknown> | null;
}

/** `POST /api/ai-providers/:id/credentials`. */
export interface CredentialBody {
  name: string;
  credentialValue: Record<string, string>;
  credentialType?: CredentialType;
  weight?: number;
  /** Try the credential with one small live call first (default true). */
  validate?: boolean;
}

/** `PUT /api/ai-providers/:id/credentials/:credentialId`. */
export interface CredentialUpdateBody {
  name?: string;
  credentialValue?: Record<string, string>;
  weight?: number;
  /** false disables the credential by hand; true puts it back in rotation. */
  enabled?: boolean;
}

/** `POST /api/ai-providers/:id/credentials/:credentialId/test`. */
export type CredentialTestAnswer = { ok: true } | { ok: false; error: string };

/** `POST /api/ai-providers/:id/model-rates`; `PUT` takes any part of it. */
export interface RateBody {
  model: string;
  type: RateType;
  inputRate: DecimalInput;
  outputRate: DecimalInput;
  cacheReadRate?: DecimalInput | null;
  cacheWriteRate?: DecimalInput | null;
  unitCosts?: { input: DecimalInput; output: DecimalInput } | null;
  modelMetadata?: Record<string, unknown> | null;
}
