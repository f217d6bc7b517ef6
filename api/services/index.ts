import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import type { SettingsService } from './settings.js';
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import { createAccessKeyService, type AccessKeyService } from './access-keys.js';
import { createAppService, type AppService } from './apps.js';
import { createProviderAdminService, type CredentialValidator, type ProviderAdminService } from './provider-admin.js';
import { createSessionCodec, type SessionCodec } from './sessions.js';
import { createUserService, type UserService } from './users.js';

export interface Services {
  settings: SettingsService;
  sequelize: Sequelize;
  models: Models;
  users: UserService;
  accessKeys: AccessKeyService;
  sessions: SessionCodec;
  apps: AppService;
  providerAdmin: ProviderAdminService;
  /** Listeners told when providers, credentials or rates change (routing caches). */
  onProvidersChanged(listener: (event?: { resetCredentialId?: string }) => void): void;
}

export interface ServiceDeps {
  settings: SettingsService;
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  models: Models;
  encryptionKey: Buffer;
  validateCredential: CredentialValidator;
}

export function createServices(deps: ServiceDeps): Services {
  const { models, config } = deps;
  const listeners: ((event?: { resetCredentialId?: string }) => void)[] = [];
  const users = createUserService(models);
  const accessKeys = createAccessKeyService(models, users, { envAdminKey: config.adminKey });
  return {
    settings: deps.settings,
    sequelize: deps.sequelize,
    models,
    users,
    accessKeys,
    sessions: createSessionCodec(deps.encryptionKey),
    apps: createAppService(models),
    providerAdmin: createProviderAdminService({
      models,
      encryptionKey: deps.encryptionKey,
      validateCredential: deps.validateCredential,
      onChange: (event) => listeners.forEach((l) => l(event)),
    }),
    onProvidersChanged(listener) {
      listeners.push(listener);
    },
  };
}
