/** Shapes of the hub's HTTP API as the dashboard uses them (see the API contract). */

export type Role = 'admin' | 'member';

export interface SessionUser {
  did: string;
  name: string;
  role: Role;
}

export type Capability = 'chat' | 'embedding' | 'image' | string;
export type CredentialType = 'api_key' | 'access_key_pair' | 'custom';

export interface CredentialField {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
}

export interface CatalogEntry {
  id: string;
  displayName: string;
  credentialType?: CredentialType;
  credentialFields: CredentialField[];
  defaultBaseUrl?: string | null;
  requiresBaseUrl?: boolean;
  credentialOptional?: boolean;
  capabilities: Capability[];
}

export type CredentialStatus = 'active' | 'cooldown' | 'disabled';

export interface Credential {
  id: string;
  name: string;
  credentialType: CredentialType;
  maskedValue: Record<string, string>;
  weight: number;
  status: CredentialStatus;
  cooldownUntil?: string | null;
  disabledReason?: string | null;
  lastUsedAt?: string | null;
  usageCount?: number;
  failureCount?: number;
}

export interface Provider {
  id: string;
  name: string;
  displayName?: string | null;
  baseUrl?: string | null;
  region?: string | null;
  enabled: boolean;
  config?: Record<string, unknown> | null;
  credentials: Credential[];
  createdAt?: string;
}

export interface CreateProviderInput {
  name: string;
  displayName?: string;
  baseUrl?: string;
  region?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
}

export type UpdateProviderInput = Partial<Omit<CreateProviderInput, 'name'>>;

export interface CreateCredentialInput {
  name: string;
  credentialValue: Record<string, string>;
  credentialType?: CredentialType;
  weight?: number;
  validate?: boolean;
}

export interface UpdateCredentialInput {
  name?: string;
  credentialValue?: Record<string, string>;
  weight?: number;
  /** false disables the credential by hand; true puts it back in rotation. */
  enabled?: boolean;
}

export interface CredentialTestResult {
  ok: boolean;
  message?: string;
}

export type RateType = 'chatCompletion' | 'embedding' | 'imageGeneration' | 'audio' | 'video';

export interface ModelRate {
  id: string;
  providerId?: string;
  model: string;
  type: RateType;
  /** Credits per token (per image for images), as a decimal string. */
  inputRate: string;
  outputRate: string;
  unitCosts?: { input: string; output: string } | null;
  modelMetadata?: Record<string, unknown> | null;
}

export interface ModelRateInput {
  model: string;
  type: RateType;
  inputRate: string;
  outputRate: string;
  unitCosts?: { input: string; output: string };
  modelMetadata?: Record<string, unknown>;
}

export interface AccessKey {
  id: string;
  name: string;
  userDid: string;
  role: Role;
  appId?: string | null;
  createdAt: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
  /** Set once the key is revoked; revoked keys stay listed. */
  revokedAt?: string | null;
}

export interface CreatedAccessKey extends AccessKey {
  /** The secret key, returned only once, at creation. */
  key: string;
}

export interface CreateAccessKeyInput {
  name: string;
  userDid?: string;
  role?: Role;
  appId?: string;
  expiresAt?: string;
}

export interface App {
  id: string;
  name: string;
  did?: string | null;
  createdAt?: string;
}

export interface Credits {
  balance: string;
  currency: string;
  pending: string;
  /** Where to top up, when the hub knows one. */
  link?: string;
}

export interface CreditTransaction {
  id: string;
  amount: string;
  type?: string;
  reason?: string | null;
  balance?: string | null;
  modelCallId?: string | null;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  next?: string;
}

export interface GrantInput {
  userDid: string;
  amount: string;
  reason?: string;
  expiresAt?: string;
}

export type CallStatus = 'processing' | 'success' | 'failed' | 'aborted';

export interface ModelCall {
  id: string;
  model: string;
  providerId?: string | null;
  credentialId?: string | null;
  type: string;
  status: CallStatus;
  inputTokens: number;
  outputTokens: number;
  credits: string;
  duration?: number | null;
  ttfb?: number | null;
  providerTtfb?: number | null;
  errorReason?: string | null;
  userDid?: string | null;
  appId?: string | null;
  createdAt: string;
}

export interface ModelCallFilters {
  userDid?: string;
  appId?: string;
  model?: string;
  status?: CallStatus | '';
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export type UsageGroupBy = 'day' | 'model' | 'provider' | 'app' | 'user' | 'type';

export interface UsageRow {
  /** The group's value: a day (YYYY-MM-DD), a model, a provider id, an app id or a user DID. */
  key: string;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Decimal string. */
  credits: string;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface HubModel {
  model: string;
  type: string;
  provider: string;
  providerDisplayName: string;
  input_credits_per_token: string;
  output_credits_per_token: string;
  modelMetadata?: Record<string, unknown> | null;
  status?: { available: boolean; error?: string };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatStreamResult {
  callId: string | null;
  text: string;
  usage: ChatUsage | null;
  finishReason: string | null;
}
