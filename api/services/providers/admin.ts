/**
 * Administration of providers, their credentials (sealed at rest, masked on every read) and model
 * rates. Every write calls `onChange` so the gateway's routing cache is rebuilt.
 */
import type { AiCredential } from '../../store/models/ai-credential.js';
import type { Models } from '../../store/models/index.js';
import { createCredentialService, type CredentialService, type CredentialValidator } from './credentials.js';
import { createProviderService, type AdminContext, type ProviderService } from './providers.js';
import { createRateImportService, type RateImportService } from './rate-import.js';
import { createRateService, type RateService } from './rates.js';
import { createCredentialVault } from './vault.js';

export interface ProviderAdminService extends ProviderService, CredentialService, RateService, RateImportService {
  /** Decrypts a stored credential (gateway use only; never serialized). */
  openCredential(row: AiCredential): Record<string, string>;
}

export function createProviderAdminService(deps: {
  models: Models;
  encryptionKey: Buffer;
  validateCredential: CredentialValidator;
  onChange: AdminContext['onChange'];
}): ProviderAdminService {
  const context: AdminContext = { models: deps.models, onChange: deps.onChange };
  const vault = createCredentialVault(deps.encryptionKey);
  return {
    ...createProviderService(context),
    ...createCredentialService(context, vault, deps.validateCredential),
    ...createRateService(context),
    ...createRateImportService(context),
    openCredential: (row) => vault.open(row),
  };
}
