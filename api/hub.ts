/**
 * Assembles a running hub from a Config: database, migrations, services, first-start bootstrap and
 * the Express app. Used by index.ts (which listens) and by tests (which use supertest).
 */
import path from 'node:path';
import type { Express } from 'express';
import type { Sequelize } from 'sequelize';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './lib/logger.js';
import { configureUpstreamProxy } from './providers/shared/upstream-agent.js';
import { HUB_COMPONENT_DID } from './routes/blocklet-js.js';
import type { BillingBackend } from './services/billing/backend.js';
import { setupBilling } from './services/billing/index.js';
import type { PaymentKitClient } from './services/billing/payment-kit/client.js';
import { openCallJournal, type CallJournal } from './services/recording/call-journal.js';
import { createCallRecorder } from './services/recording/call-recorder.js';
import { createCredentialValidator } from './services/providers/credential-check.js';
import { createGateway, type Gateway } from './services/gateway/gateway.js';
import { RoutingTable } from './services/gateway/routing.js';
import { ADMIN_USER_DID } from './services/access-keys.js';
import { createServices, type Services } from './services/index.js';
import { createSettings } from './services/settings.js';
import { startUsage } from './services/usage/index.js';
import { startScheduledWork, type ScheduledWork } from './services/jobs/scheduled.js';
import { setupNotifications, type Notifications } from './services/notifications/setup.js';
import { setupObservability, type Observability } from './services/observability/setup.js';
import { createMediaStore } from './services/media-store.js';
import { createStoredResponses } from './services/stored-responses.js';
import { loadEncryptionKey } from './services/secret-key.js';
import { openChangeFeed } from './store/change-feed.js';
import { reconcileInterruptedCalls, sweepInterruptedCalls } from './store/interrupted-calls.js';
import { migrateUp } from './store/migrate-up.js';
import { initModels } from './store/models/index.js';
import { openDatabase } from './store/sequelize.js';

export interface Hub {
  app: Express;
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  services: Services;
  gateway: Gateway;
  observability: Observability;
  billing: BillingBackend;
  notifications: Notifications;
  scheduled: ScheduledWork;
  /** Flushes pending records and closes the database. */
  close(): Promise<void>;
}

export interface HubOptions {
  logger?: Logger;
  /** Where the generated admin key is announced (stdout by default). */
  print?: (line: string) => void;
  /** The clock of limits' windows and budget periods (tests move it on a minute or a day). */
  now?: () => Date;
  /** Payment Kit client to bill through instead of the one detected inside Blocklet Server. */
  paymentKit?: PaymentKitClient;
  /** Sees every SQL statement the hub runs (tests check what a start reads). */
  sqlLog?: (sql: string) => void;
}

/** Milliseconds each step of the start took (the log's 'hub started' line shows where a start goes). */
function startSteps() {
  const began = performance.now();
  let last = began;
  const all: Record<string, number> = {};
  const step = (name: string) => {
    const now = performance.now();
    all[name] = Math.round(now - last);
    last = now;
  };
  return Object.assign(step, { all, total: () => Math.round(last - began) });
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  configureUpstreamProxy(config.proxy);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const step = startSteps();
  const sequelize = openDatabase({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl, logging: options.sqlLog });
  await sequelize.authenticate();
  step('open');
  const applied = await migrateUp(sequelize);
  if (applied.length) logger.info('migrations applied', { migrations: applied });
  step('migrations');
  const models = initModels(sequelize);
  const encryptionKey = loadEncryptionKey(config.dataDir, config.secret);
  const settings = await createSettings(config, logger);
  step('settings');
  const services = createServices({
    settings,
    config,
    logger,
    sequelize,
    models,
    encryptionKey,
    validateCredential: createCredentialValidator(config.upstreamTimeoutMs),
    now: options.now,
  });
  const routing = new RoutingTable({
    models,
    env: config.env,
    openCredential: services.providerAdmin.openCredential,
    get billingEnabled() {
      return settings.current().creditBillingEnabled;
    },
    get excludedProviders() {
      return settings.current().excludedProviders;
    },
    ttlMs: config.cacheTtlMs.routing,
  });
  services.onProvidersChanged((event) => {
    if (event?.resetCredentialId) routing.resetCredential(event.resetCredentialId);
    routing.invalidate();
  });
  // Final call rows are journaled under the data directory: a response need not wait for the group
  // commit. Without a writable journal, responses wait for it.
  let journal: CallJournal | undefined;
  try {
    journal = openCallJournal({ dir: path.join(config.dataDir, 'journal') });
  } catch (err) {
    logger.warn('the call journal cannot be opened; answers wait for their records to be committed', { err });
  }
  const recorder = createCallRecorder(models, logger, { journal });
  // Kept responses are written with their calls' rows (and journaled with them).
  const storedResponses = createStoredResponses(models, logger, config.retention.responsesDays);
  recorder.onFlush(storedResponses.hook);
  const media = createMediaStore(config.dataDir, config.retention.mediaDays, logger);
  const billing = await setupBilling({ config, settings, logger, sequelize, models, users: services.users, recorder, paymentKit: options.paymentKit });
  step('billing');
  const observability = await setupObservability({ config, logger, models, componentDid: HUB_COMPONENT_DID });
  step('observability');
  const notifications = setupNotifications({ config, logger, sequelize, models, billing: billing.backend, recordsSettled: () => recorder.settled(), settings: () => settings.current() });
  services.onProvidersChanged((event) => {
    if (event?.resetCredentialId) notifications.events.credentialReset(event.resetCredentialId, event.how ?? 'put back in rotation');
  });
  const gateway = createGateway({
    observers: observability.observers,
    models,
    routing,
    recorder,
    billing: billing.backend,
    logger,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    imageFetch: config.imageFetch,
    limits: services.limits,
    recheckCredential: async (providerId, credentialId) => (await services.providerAdmin.testCredential(providerId, credentialId)).ok,
    onCredentialDisabled: (credentialId, providerId, reason) => notifications.events.credentialDisabled(credentialId, providerId, reason),
  });
  gateway.onCallSettled(observability.callSettled);
  gateway.onCallSettled((record) => notifications.events.callSettled(record));
  services.limits.onRefused((kind) => observability.metrics.limitRefused(kind));
  // Other instances on the same PostgreSQL database drop their caches when this one writes.
  const feed = await openChangeFeed({ sequelize, databaseUrl: config.databaseUrl, logger });
  step('changeFeed');
  services.onProvidersChanged((event) => feed.publish('providers', { ...event }));
  services.accessKeys.onRevoked((id) => feed.publish('access-keys', { id }));
  services.onLimitsChanged(() => feed.publish('limits'));
  feed.subscribe(({ topic, data }) => {
    if (topic === 'limits' || topic === 'resync') services.limits.forget();
    if (topic === 'limits') return;
    if (topic !== 'access-keys') {
      if (typeof data.resetCredentialId === 'string') routing.resetCredential(data.resetCredentialId);
      routing.invalidate();
    }
    if (topic !== 'providers') services.accessKeys.clearCache();
  });
  await recorder.recover();
  step('journal');
  const usage = startUsage({ sequelize, logger });
  await reconcileInterruptedCalls(models, logger, { alone: feed.alone, staleAfterMs: config.creditReservationTtlMs, onClosed: usage.closedCalls });
  await feed.ready();
  step('interruptedCalls');
  const stopSweep = config.databaseUrl ? sweepInterruptedCalls(models, logger, config.creditReservationTtlMs, undefined, usage.closedCalls) : () => {};

  await services.accessKeys.bootstrapAdmin(config.dataDir, options.print ?? ((line) => process.stdout.write(`${line}\n`)));
  // The built-in admin (AIGNE_HUB_ADMIN_KEY or the generated key) is a user like any other: it can hold credits.
  await services.users.ensure(ADMIN_USER_DID, { name: 'admin', role: 'admin' });
  step('admin');

  let blockletAuth;
  if (config.blocklet.enabled) {
    const { createBlockletAuthenticator } = await import('./services/blocklet-auth.js');
    blockletAuth = await createBlockletAuthenticator(services.users);
  }

  const scheduled = startScheduledWork({ config, logger, sequelize, models, gateway, events: notifications.events });
  const app = createApp({
    config,
    logger,
    services,
    gateway,
    billing: billing.backend,
    storedResponses,
    media,
    blockletAuth,
    observability,
    recordsSettled: () => recorder.settled(),
    health: scheduled.health,
    onRateCheck: (answer, checked) => notifications.events.rateChecked(answer, checked),
  });
  step('app');
  logger.info('hub started', { ms: step.total(), steps: step.all });
  let closed = false;
  return {
    app,
    config,
    logger,
    sequelize,
    services,
    gateway,
    observability,
    billing: billing.backend,
    notifications,
    scheduled,
    async close() {
      if (closed) return;
      closed = true;
      await scheduled.close().catch((err) => logger.error('stopping scheduled work failed', { err }));
      try {
        await gateway.close();
        await services.limits.close();
      } catch (err) {
        logger.error('flushing records at shutdown failed', { err });
      }
      await notifications.close().catch((err) => logger.error('closing notifications failed', { err }));
      journal?.close();
      storedResponses.close();
      media.close();
      await observability.close().catch((err) => logger.error('closing observability failed', { err }));
      await billing.close().catch((err) => logger.error('closing billing failed', { err }));
      stopSweep();
      settings.close();
      await usage.stop();
      await feed.close();
      await sequelize.close().catch(() => {});
    },
  };
}
