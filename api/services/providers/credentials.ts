/** A provider's credentials: checked against its manifest, sealed by the vault, optionally tried live. */
import { BadRequestError, NotFoundError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { ProviderManifest } from '../../providers/types.js';
import type { AiCredential } from '../../store/models/ai-credential.js';
import type { AiProvider } from '../../store/models/ai-provider.js';
import { conflictOnDuplicate } from '../unique-conflict.js';
import { findProvider, manifestOf, type AdminContext } from './providers.js';
import type { CredentialVault } from './vault.js';
import type { CredentialBody, CredentialTestAnswer, CredentialUpdateBody, CredentialView } from '../../wire/providers.js';
import { toCredentialView } from './views.js';

/** Validates a credential against its provider with one small live call; throws with the reason. */
export type CredentialValidator = (
  provider: AiProvider,
  manifest: ProviderManifest,
  credential: Record<string, string>,
) => Promise<void>;

export interface CredentialService {
  createCredential(providerId: string, input: Omit<CredentialBody, 'validate'>, validate: boolean): Promise<CredentialView>;
  updateCredential(providerId: string, id: string, input: CredentialUpdateBody): Promise<CredentialView>;
  deleteCredential(providerId: string, id: string): Promise<void>;
  testCredential(providerId: string, id: string): Promise<CredentialTestAnswer>;
}

function checkCredentialValue(manifest: ProviderManifest, value: Record<string, string>): Record<string, string> {
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

export function createCredentialService(
  { models, onChange }: AdminContext,
  vault: CredentialVault,
  validateCredential: CredentialValidator,
): CredentialService {
  const findCredential = async (providerId: string, id: string) => {
    const row = await models.AiCredential.findOne({ where: { id, providerId } });
    if (!row) throw new NotFoundError(`Credential '${id}' not found for provider '${providerId}'`);
    return row;
  };
  const duplicateName = (name: string | undefined) => `A credential named '${name}' already exists for this provider`;

  return {
    async createCredential(providerId, input, validate) {
      const provider = await findProvider(models, providerId);
      const manifest = manifestOf(provider.name);
      const value = checkCredentialValue(manifest, input.credentialValue);
      if (input.credentialType && input.credentialType !== manifest.credentialType && input.credentialType !== 'custom') {
        throw new BadRequestError(`${manifest.displayName} takes credentials of type '${manifest.credentialType}'`);
      }
      if (validate) await validateCredential(provider, manifest, value);
      const row = await conflictOnDuplicate(
        () =>
          models.AiCredential.create({
            id: newId(),
            providerId,
            name: input.name,
            credentialType: input.credentialType ?? manifest.credentialType,
            ...vault.seal(manifest, value),
            weight: input.weight ?? 100,
            status: 'active',
            disabledReason: null,
            cooldownUntil: null,
            failureCount: 0,
            usageCount: 0,
            lastUsedAt: null,
            lastErrorAt: null,
          }),
        duplicateName(input.name),
      );
      onChange();
      return toCredentialView(row);
    },

    async updateCredential(providerId, id, input) {
      const provider = await findProvider(models, providerId);
      const row = await findCredential(providerId, id);
      const manifest = manifestOf(provider.name);
      const patch: Partial<AiCredential> = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.weight !== undefined) patch.weight = input.weight;
      if (input.credentialValue !== undefined) Object.assign(patch, vault.seal(manifest, checkCredentialValue(manifest, input.credentialValue)));
      if (input.enabled !== undefined) {
        patch.status = input.enabled ? 'active' : 'disabled';
        patch.disabledReason = input.enabled ? null : 'Disabled by an admin';
        patch.cooldownUntil = null;
        patch.failureCount = 0;
      }
      await conflictOnDuplicate(() => row.update(patch), duplicateName(input.name));
      onChange(input.enabled === true ? { resetCredentialId: id, how: 're-enabled by an admin' } : undefined);
      return toCredentialView(row);
    },

    async deleteCredential(providerId, id) {
      const row = await findCredential(providerId, id);
      await row.destroy();
      onChange();
    },

    async testCredential(providerId, id) {
      const provider = await findProvider(models, providerId);
      const row = await findCredential(providerId, id);
      const manifest = manifestOf(provider.name);
      try {
        await validateCredential(provider, manifest, vault.open(row));
        await row.update({ status: 'active', disabledReason: null, cooldownUntil: null, failureCount: 0 });
        onChange({ resetCredentialId: id, how: 'a test call passed' });
        return { ok: true as const };
      } catch (err) {
        return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
