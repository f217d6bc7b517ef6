/**
 * Administration of providers, their credentials (sealed at rest, masked on every read) and model
 * rates. Every write calls `onChange` so the gateway's routing cache is rebuilt.
 */
import { UniqueConstraintError } from 'sequelize';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { maskSecret, seal, unseal } from '../lib/crypto.js';
import { normalizeDecimal } from '../lib/decimal.js';
import { newId } from '../lib/ids.js';
import { getProviderModule } from '../providers/registry.js';
import type { ProviderManifest } from '../providers/types.js';
import type { AiCredential } from '../store/models/ai-credential.js';
import type { AiModelRate, RateType } from '../store/models/ai-model-rate.js';
import type { AiProvider } from '../store/models/ai-provider.js';
import type { Models } from '../store/models/index.js';

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

export interface ProviderInput {
  name: string;
  displayName?: string;
  baseUrl?: string | null;
  region?: string | null;
  enabled?: boolean;
  rank?: number;
  config?: Record<string, unknown> | null;
}

export interface CredentialInput {
  name: string;
  credentialValue: Record<string, string>;
  credentialType?: 'api_key' | 'access_key_pair' | 'custom';
  weight?: number;
}

export interface RateInput {
  model: string;
  type: RateType;
  inputRate: unknown;
  outputRate: unknown;
  cacheReadRate?: unknown;
  cacheWriteRate?: unknown;
  unitCosts?: { input: unknown; output: unknown } | null;
  modelMetadata?: Record<string, unknown> | null;
}

/** Validates a credential against its provider with one small live call; throws with the reason. */
export type CredentialValidator = (
  provider: AiProvider,
  manifest: ProviderManifest,
  credential: Record<string, string>,
) => Promise<void>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function credentialStatus(row: Pick<AiCredential, 'status' | 'cooldownUntil'>, now = Date.now()) {
  if (row.status === 'disabled') return 'disabled' as const;
  if (row.cooldownUntil && row.cooldownUntil.getTime() > now) return 'cooldown' as const;
  return 'active' as const;
}

export function toCredentialView(row: AiCredential): CredentialView {
  return {
    id: row.id,
    providerId: row.providerId,
    name: row.name,
    credentialType: row.credentialType,
    maskedValue: row.maskedValue,
    weight: row.weight,
    status: credentialStatus(row),
    cooldownUntil: credentialStatus(row) === 'cooldown' ? iso(row.cooldownUntil) : null,
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

export function manifestOf(name: string): ProviderManifest {
  const module = getProviderModule(name);
  if (!module) throw new BadRequestError(`Unknown provider '${name}'; see GET /api/ai-providers/catalog`, { code: 'unknown_provider' });
  return module.manifest;
}

function checkBaseUrl(baseUrl: string | null | undefined): string | null {
  if (baseUrl === undefined || baseUrl === null || baseUrl === '') return null;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new BadRequestError(`baseUrl is not a valid URL: '${baseUrl}'`, { code: 'invalid_base_url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadRequestError('baseUrl must be an http or https URL', { code: 'invalid_base_url' });
  }
  if (url.username || url.password) throw new BadRequestError('baseUrl must not carry credentials', { code: 'invalid_base_url' });
  return baseUrl.replace(/\/+$/, '');
}

export function checkCredentialValue(manifest: ProviderManifest, value: Record<string, string>): Record<string, string> {
  const known = new Map(manifest.credentialFields.map((f) => [f.key, f]));
  const clean: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!known.has(key)) throw new BadRequestError(`credentialValue.${key} is not a field of ${manifest.displayName} credentials`);
    if (typeof v !== 'string') throw new BadRequestError(`credentialValue.${key} must be a string`);
    if (v.trim()) clean[key] = v.trim();
  }
  for (const field of manifest.credentialFields) {
    if (field.required && !clean[field.key]) throw new BadRequestError(`credentialValue.${field.key} is required for ${manifest.displayName}`);
  }
  if (Object.keys(clean).length === 0) throw new BadRequestError('credentialValue must have at least one field');
  return clean;
}

function maskCredential(manifest: ProviderManifest, value: Record<string, string>): Record<string, string> {
  const secret = new Set(manifest.credentialFields.filter((f) => f.secret).map((f) => f.key));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secret.has(k) ? maskSecret(v) : v]));
}

function checkRate(field: string, value: unknown, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new BadRequestError(`${field} is required`);
    return null;
  }
  const normalized = normalizeDecimal(value);
  if (normalized === null) throw new BadRequestError(`${field} must be a non-negative decimal (a string like "0.000002"), got ${JSON.stringify(value)}`);
  return normalized;
}

export interface ProviderAdminService {
  listProviders(): Promise<ProviderView[]>;
  getProvider(id: string): Promise<ProviderView>;
  createProvider(input: ProviderInput): Promise<ProviderView>;
  updateProvider(id: string, input: Partial<ProviderInput>): Promise<ProviderView>;
  deleteProvider(id: string): Promise<void>;
  createCredential(providerId: string, input: CredentialInput, validate: boolean): Promise<CredentialView>;
  updateCredential(providerId: string, id: string, input: Partial<CredentialInput> & { enabled?: boolean }): Promise<CredentialView>;
  deleteCredential(providerId: string, id: string): Promise<void>;
  testCredential(providerId: string, id: string): Promise<{ ok: true } | { ok: false; error: string }>;
  listRates(providerId: string): Promise<RateView[]>;
  createRate(providerId: string, input: RateInput): Promise<RateView>;
  updateRate(providerId: string, id: string, input: Partial<RateInput>): Promise<RateView>;
  deleteRate(providerId: string, id: string): Promise<void>;
  /** Decrypts a stored credential (gateway use only; never serialized). */
  openCredential(row: AiCredential): Record<string, string>;
}

export function createProviderAdminService(deps: {
  models: Models;
  encryptionKey: Buffer;
  validateCredential: CredentialValidator;
  /** Told after every write; `resetCredentialId` when an admin re-enabled or re-tested one. */
  onChange: (event?: { resetCredentialId?: string }) => void;
}): ProviderAdminService {
  const { models, encryptionKey, onChange } = deps;

  const findProvider = async (id: string) => {
    const row = await models.AiProvider.findByPk(id);
    if (!row) throw new NotFoundError(`Provider '${id}' not found`);
    return row;
  };

  const view = async (row: AiProvider): Promise<ProviderView> => {
    const creds = await models.AiCredential.findAll({ where: { providerId: row.id }, order: [['createdAt', 'ASC']] });
    const manifest = getProviderModule(row.name)?.manifest;
    return {
      id: row.id,
      name: row.name,
      displayName: row.displayName,
      baseUrl: row.baseUrl,
      effectiveBaseUrl: row.baseUrl ?? manifest?.defaultBaseUrl ?? null,
      region: row.region,
      enabled: row.enabled,
      rank: row.rank,
      config: row.config,
      capabilities: manifest?.capabilities ?? [],
      credentials: creds.map(toCredentialView),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  };

  const findCredential = async (providerId: string, id: string) => {
    const row = await models.AiCredential.findOne({ where: { id, providerId } });
    if (!row) throw new NotFoundError(`Credential '${id}' not found for provider '${providerId}'`);
    return row;
  };

  const findRate = async (providerId: string, id: string) => {
    const row = await models.AiModelRate.findOne({ where: { id, providerId } });
    if (!row) throw new NotFoundError(`Model rate '${id}' not found for provider '${providerId}'`);
    return row;
  };

  const openCredential = (row: AiCredential) => JSON.parse(unseal(row.encryptedValue, encryptionKey)) as Record<string, string>;

  const rateFields = (input: Partial<RateInput>, creating: boolean) => {
    const out: Partial<Record<string, unknown>> = {};
    if (creating || input.inputRate !== undefined) out.inputRate = checkRate('inputRate', input.inputRate, true);
    if (creating || input.outputRate !== undefined) out.outputRate = checkRate('outputRate', input.outputRate, true);
    if (input.cacheReadRate !== undefined) out.cacheReadRate = checkRate('cacheReadRate', input.cacheReadRate, false);
    if (input.cacheWriteRate !== undefined) out.cacheWriteRate = checkRate('cacheWriteRate', input.cacheWriteRate, false);
    if (input.unitCosts !== undefined) {
      out.unitCosts = input.unitCosts
        ? { input: checkRate('unitCosts.input', input.unitCosts.input, true)!, output: checkRate('unitCosts.output', input.unitCosts.output, true)! }
        : null;
    }
    if (input.modelMetadata !== undefined) out.modelMetadata = input.modelMetadata;
    return out;
  };

  const service: ProviderAdminService = {
    async listProviders() {
      const rows = await models.AiProvider.findAll({ order: [['rank', 'ASC'], ['createdAt', 'ASC']] });
      return Promise.all(rows.map(view));
    },

    async getProvider(id) {
      return view(await findProvider(id));
    },

    async createProvider(input) {
      const manifest = manifestOf(input.name);
      const baseUrl = checkBaseUrl(input.baseUrl);
      if (manifest.requiresBaseUrl && !baseUrl) throw new BadRequestError(`${manifest.displayName} needs a baseUrl`);
      try {
        const row = await models.AiProvider.create({
          id: newId(),
          name: manifest.id,
          displayName: input.displayName?.trim() || manifest.displayName,
          baseUrl,
          region: input.region ?? null,
          enabled: input.enabled ?? true,
          rank: input.rank ?? 100,
          config: input.config ?? null,
        });
        onChange();
        return view(row);
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new ConflictError(`Provider '${input.name}' already exists`, { code: 'provider_exists' });
        throw err;
      }
    },

    async updateProvider(id, input) {
      const row = await findProvider(id);
      if (input.name !== undefined && input.name !== row.name) throw new BadRequestError('A provider cannot change its name; create another provider');
      const manifest = manifestOf(row.name);
      const patch: Partial<ProviderInput> = {};
      if (input.displayName !== undefined) patch.displayName = input.displayName.trim() || manifest.displayName;
      if (input.baseUrl !== undefined) {
        patch.baseUrl = checkBaseUrl(input.baseUrl);
        if (manifest.requiresBaseUrl && !patch.baseUrl) throw new BadRequestError(`${manifest.displayName} needs a baseUrl`);
      }
      if (input.region !== undefined) patch.region = input.region;
      if (input.enabled !== undefined) patch.enabled = input.enabled;
      if (input.rank !== undefined) patch.rank = input.rank;
      if (input.config !== undefined) patch.config = input.config;
      await row.update(patch);
      onChange();
      return view(row);
    },

    async deleteProvider(id) {
      const row = await findProvider(id);
      await models.AiProvider.sequelize!.transaction(async (transaction) => {
        await models.AiCredential.destroy({ where: { providerId: id }, transaction });
        await models.AiModelRate.destroy({ where: { providerId: id }, transaction });
        await row.destroy({ transaction });
      });
      onChange();
    },

    async createCredential(providerId, input, validate) {
      const provider = await findProvider(providerId);
      const manifest = manifestOf(provider.name);
      const value = checkCredentialValue(manifest, input.credentialValue);
      if (input.credentialType && input.credentialType !== manifest.credentialType && input.credentialType !== 'custom') {
        throw new BadRequestError(`${manifest.displayName} takes credentials of type '${manifest.credentialType}'`);
      }
      if (validate) await deps.validateCredential(provider, manifest, value);
      try {
        const row = await models.AiCredential.create({
          id: newId(),
          providerId,
          name: input.name,
          credentialType: input.credentialType ?? manifest.credentialType,
          encryptedValue: seal(JSON.stringify(value), encryptionKey),
          maskedValue: maskCredential(manifest, value),
          weight: input.weight ?? 100,
          status: 'active',
          disabledReason: null,
          cooldownUntil: null,
          failureCount: 0,
          usageCount: 0,
          lastUsedAt: null,
          lastErrorAt: null,
        });
        onChange();
        return toCredentialView(row);
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new ConflictError(`A credential named '${input.name}' already exists for this provider`);
        throw err;
      }
    },

    async updateCredential(providerId, id, input) {
      const provider = await findProvider(providerId);
      const row = await findCredential(providerId, id);
      const manifest = manifestOf(provider.name);
      const patch: Partial<AiCredential> = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.weight !== undefined) patch.weight = input.weight;
      if (input.credentialValue !== undefined) {
        const value = checkCredentialValue(manifest, input.credentialValue);
        patch.encryptedValue = seal(JSON.stringify(value), encryptionKey);
        patch.maskedValue = maskCredential(manifest, value);
      }
      if (input.enabled !== undefined) {
        patch.status = input.enabled ? 'active' : 'disabled';
        patch.disabledReason = input.enabled ? null : 'Disabled by an admin';
        patch.cooldownUntil = null;
        patch.failureCount = 0;
      }
      try {
        await row.update(patch);
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new ConflictError(`A credential named '${input.name}' already exists for this provider`);
        throw err;
      }
      onChange(input.enabled === true ? { resetCredentialId: id } : undefined);
      return toCredentialView(row);
    },

    async deleteCredential(providerId, id) {
      const row = await findCredential(providerId, id);
      await row.destroy();
      onChange();
    },

    async testCredential(providerId, id) {
      const provider = await findProvider(providerId);
      const row = await findCredential(providerId, id);
      const manifest = manifestOf(provider.name);
      try {
        await deps.validateCredential(provider, manifest, openCredential(row));
        await row.update({ status: 'active', disabledReason: null, cooldownUntil: null, failureCount: 0 });
        onChange({ resetCredentialId: id });
        return { ok: true as const };
      } catch (err) {
        return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
      }
    },

    async listRates(providerId) {
      await findProvider(providerId);
      const rows = await models.AiModelRate.findAll({ where: { providerId }, order: [['model', 'ASC']] });
      return rows.map(toRateView);
    },

    async createRate(providerId, input) {
      await findProvider(providerId);
      const fields = rateFields(input, true);
      try {
        const row = await models.AiModelRate.create({
          id: newId(),
          providerId,
          model: input.model.trim(),
          type: input.type,
          inputRate: fields.inputRate as string,
          outputRate: fields.outputRate as string,
          cacheReadRate: (fields.cacheReadRate as string | null | undefined) ?? null,
          cacheWriteRate: (fields.cacheWriteRate as string | null | undefined) ?? null,
          unitCosts: (fields.unitCosts as RateView['unitCosts'] | undefined) ?? null,
          modelMetadata: input.modelMetadata ?? null,
        });
        onChange();
        return toRateView(row);
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new ConflictError(`A ${input.type} rate for '${input.model}' already exists for this provider`);
        throw err;
      }
    },

    async updateRate(providerId, id, input) {
      const row = await findRate(providerId, id);
      const patch = rateFields(input, false);
      if (input.model !== undefined) patch.model = input.model.trim();
      if (input.type !== undefined) patch.type = input.type;
      try {
        await row.update(patch as Partial<AiModelRate>);
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new ConflictError('Another rate for that model and type exists for this provider');
        throw err;
      }
      onChange();
      return toRateView(row);
    },

    async deleteRate(providerId, id) {
      const row = await findRate(providerId, id);
      await row.destroy();
      onChange();
    },

    openCredential,
  };
  return service;
}
