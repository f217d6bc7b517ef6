import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import type { SettingsService } from './settings.js';
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import { createAccessKeyService, type AccessKeyService } from './access-keys.js';
import { createAppService, type AppService } from './apps.js';
import { createAuthCodeService, type AuthCodeService } from './auth-codes.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { createProviderAdminService, type ProviderAdminService } from './providers/admin.js';
import type { CredentialValidator } from './providers/credentials.js';
import type { ProvidersChange } from './providers/providers.js';
import { createSessionService, type SessionService } from './sessions.js';
import { createLimitService, type LimitService } from './limits/limits.js';
import { createUserService, type UserService } from './users.js';

export interface Services {
  settings: SettingsService;
  sequelize: Sequelize;
  models: Models;
  users: UserService;
  accessKeys: AccessKeyService;
  sessions: SessionService;
  loginThrottle: LoginThrottle;
  apps: AppService;
  /** One-time codes of the authorize flow (API.md §16). */
  authCodes: AuthCodeService;
  providerAdmin: ProviderAdminService;
  /** Limits per key, app and user (API.md §14). */
  limits: LimitService;
  /** Listeners told when an app's or a user's limits change here (other instances' caches). */
  onLimitsChanged(listener: () => void): void;
  /** Listeners told when providers, credentials or rates change (routing caches). */
  onProvidersChanged(listener: (event?: ProvidersChange) => void): void;
}

export interface ServiceDeps {
  settings: SettingsService;
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  models: Models;
  encryptionKey: Buffer;
  validateCredential: CredentialValidator;
  /** The clock budgets read their periods by (tests move it). */
  now?: () => Date;
}

export function createServices(deps: ServiceDeps): Services {
  const { models, config } = deps;
  const listeners: ((event?: ProvidersChange) => void)[] = [];
  const limitListeners: (() => void)[] = [];
  const limits = createLimitService({ sequelize: deps.sequelize, models, defaultKeyLimits: config.defaultKeyLimits, holdTtlMs: config.creditReservationTtlMs, now: deps.now });
  const limitsChanged = () => {
    limits.forget();
    for (const l of limitListeners) l();
  };
  const users = createUserService(models, limitsChanged);
  const accessKeys = createAccessKeyService(models, users, { envAdminKey: config.adminKey, cacheTtlMs: config.cacheTtlMs.accessKeys });
  const sessions = createSessionService(models, accessKeys, { idleMs: config.sessionIdleMs, envAdminKey: config.adminKey, encryptionKey: deps.encryptionKey });
  // Revoked here: its sessions' rows go at once (other instances find them gone).
  accessKeys.onRevoked((id) => void sessions.closeForKey(id).catch((err) => deps.logger.warn('ending the sessions of a revoked key failed', { err })));
  return {
    settings: deps.settings,
    sequelize: deps.sequelize,
    models,
    users,
    accessKeys,
    sessions,
    loginThrottle: createLoginThrottle(deps.sequelize),
    apps: createAppService(models, limitsChanged),
    limits,
    onLimitsChanged(listener) {
      limitListeners.push(listener);
    },
    authCodes: createAuthCodeService({ models, users, accessKeys, logger: deps.logger, maxKeysPerUser: config.maxKeysPerUser }),
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
