/** Providers: one row per configured upstream, named after a provider of the registry. */
import { BadRequestError, NotFoundError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { getProviderModule } from '../../providers/registry.js';
import type { ProviderManifest } from '../../providers/types.js';
import type { AiProvider } from '../../store/models/ai-provider.js';
import type { Models } from '../../store/models/index.js';
import { conflictOnDuplicate } from '../unique-conflict.js';
import type { ProviderBody, ProviderView } from '../../wire/providers.js';
import { toCredentialView } from './views.js';

export interface ProvidersChange {
  resetCredentialId?: string;
  how?: string;
}

/** What the provider, credential and rate services share. */
export interface AdminContext {
  models: Models;
  /** Told after every write; `resetCredentialId` when an admin re-enabled or re-tested one (`how` says which). */
  onChange: (event?: ProvidersChange) => void;
}

export interface ProviderService {
  listProviders(): Promise<ProviderView[]>;
  getProvider(id: string): Promise<ProviderView>;
  createProvider(input: ProviderBody): Promise<ProviderView>;
  updateProvider(id: string, input: Partial<ProviderBody>): Promise<ProviderView>;
  deleteProvider(id: string): Promise<void>;
}

export function manifestOf(name: string): ProviderManifest {
  const module = getProviderModule(name);
  if (!module) throw new BadRequestError(`Unknown provider '${name}'; see GET /api/ai-providers/catalog`, { code: 'unknown_provider' });
  return module.manifest;
}

export async function findProvider(models: Models, id: string): Promise<AiProvider> {
  const row = await models.AiProvider.findByPk(id);
  if (!row) throw new NotFoundError(`Provider '${id}' not found`);
  return row;
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

export function createProviderService({ models, onChange }: AdminContext): ProviderService {
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

  return {
    async listProviders() {
      const rows = await models.AiProvider.findAll({ order: [['rank', 'ASC'], ['createdAt', 'ASC']] });
      return Promise.all(rows.map(view));
    },

    async getProvider(id) {
      return view(await findProvider(models, id));
    },

    async createProvider(input) {
      const manifest = manifestOf(input.name);
      const baseUrl = checkBaseUrl(input.baseUrl);
      if (manifest.requiresBaseUrl && !baseUrl) throw new BadRequestError(`${manifest.displayName} needs a baseUrl`);
      const row = await conflictOnDuplicate(
        () =>
          models.AiProvider.create({
            id: newId(),
            name: manifest.id,
            displayName: input.displayName?.trim() || manifest.displayName,
            baseUrl,
            region: input.region ?? null,
            enabled: input.enabled ?? true,
            rank: input.rank ?? 100,
            config: input.config ?? null,
          }),
        `Provider '${input.name}' already exists`,
        'provider_exists',
      );
      onChange();
      return view(row);
    },

    async updateProvider(id, input) {
      const row = await findProvider(models, id);
      if (input.name !== undefined && input.name !== row.name) throw new BadRequestError('A provider cannot change its name; create another provider');
      const manifest = manifestOf(row.name);
      const patch: Partial<ProviderBody> = {};
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
      const row = await findProvider(models, id);
      await models.AiProvider.sequelize!.transaction(async (transaction) => {
        await models.AiCredential.destroy({ where: { providerId: id }, transaction });
        await models.AiModelRate.destroy({ where: { providerId: id }, transaction });
        await row.destroy({ transaction });
      });
      onChange();
    },
  };
}
