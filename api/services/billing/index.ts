/**
 * Billing at start: picks the backend (Payment Kit inside Blocklet Server when it is installed,
 * else the embedded ledger), gives new users their welcome credits, aggregates usage in the call
 * recorder's flushes, reconciles what a stopped process left behind, and runs the periodic upkeep.
 */
import type { Sequelize } from 'sequelize';
import type { Config } from '../../config.js';
import { settingsFromConfig, type SettingsService } from '../settings.js';
import { creditsToNano } from '../../lib/decimal.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { CallRecorder } from '../recording/call-recorder.js';
import type { UserService } from '../users.js';
import type { BillingBackend } from './backend.js';
import { createLedgerBilling } from './ledger.js';
import type { PaymentKitClient } from './payment-kit/client.js';
import { createUsageAggregator } from '../recording/usage-aggregator.js';

export interface BillingSetup {
  config: Config;
  /** Billing on/off and the new user's grant are read from here at the moment they apply (default: the environment's, fixed). */
  settings?: Pick<SettingsService, 'current'>;
  logger: Logger;
  sequelize: Sequelize;
  models: Models;
  users: UserService;
  recorder: CallRecorder;
  /** Payment Kit client to use instead of detecting one (tests pass one made for a fake Payment Kit). */
  paymentKit?: PaymentKitClient;
  upkeepIntervalMs?: number;
}

export interface Billing {
  backend: BillingBackend;
  close(): Promise<void>;
}

async function detectPaymentKit(config: Config, logger: Logger): Promise<PaymentKitClient | undefined> {
  if (!config.blocklet.enabled) return undefined;
  const { createPaymentJsClient } = await import('./payment-kit/payment-js-client.js');
  const client = await createPaymentJsClient();
  if (!client) logger.info('Payment Kit is not installed: credits are kept in the embedded ledger');
  return client ?? undefined;
}

export async function setupBilling(setup: BillingSetup): Promise<Billing> {
  const { config, logger, sequelize, models } = setup;
  const fixed = settingsFromConfig(config);
  const settings = setup.settings ?? { current: () => fixed };
  const paymentKit = setup.paymentKit ?? (await detectPaymentKit(config, logger));
  let backend: BillingBackend;
  if (paymentKit) {
    const { createPaymentKitBilling } = await import('./payment-kit/backend.js');
    backend = createPaymentKitBilling({
      sequelize,
      models,
      logger,
      client: paymentKit,
      get enabled() {
        return settings.current().creditBillingEnabled;
      },
      reservationTtlMs: config.creditReservationTtlMs,
      topUpLink: config.creditTopUpLink,
    });
  } else {
    backend = createLedgerBilling({
      sequelize,
      models,
      logger,
      get enabled() {
        return settings.current().creditBillingEnabled;
      },
      reservationTtlMs: config.creditReservationTtlMs,
      topUpLink: config.creditTopUpLink,
    });
  }

  setup.users.onCreated(async (user) => {
    const welcomeNano = creditsToNano(settings.current().newUserCreditGrant);
    if (welcomeNano > 0) {
      try {
        await backend.grant({ userDid: user.did, amountNano: welcomeNano, reason: 'New user credits', source: 'new_user' });
      } catch (err) {
        logger.error('granting new user credits failed', { err, userDid: user.did });
      }
    }
  });

  // Payment Kit's credit price and payment link are made sure of at start, not on a user's first look.
  backend.paymentLink().catch((err) => logger.warn('the credit payment link could not be made sure of in Payment Kit; it is tried again when asked for', { err }));

  if (backend.flushHook) setup.recorder.onFlush(backend.flushHook);
  setup.recorder.onFlush(createUsageAggregator(sequelize, (row) => backend.reportableNano(row)));
  await backend.reconcile();

  let running: Promise<void> | null = null;
  const upkeep = () => {
    if (running) return;
    running = backend
      .sweep()
      .catch((err) => logger.error('billing upkeep failed', { err }))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(upkeep, setup.upkeepIntervalMs ?? 60_000);
  timer.unref();

  return {
    backend,
    async close() {
      clearInterval(timer);
      if (running) await running;
      await backend.close();
    },
  };
}
