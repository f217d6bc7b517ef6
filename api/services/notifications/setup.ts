/** The notifier with the sinks this hub has, and the hub's event sources wired to it. */
import type { Sequelize } from 'sequelize';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { BillingBackend } from '../billing/backend.js';
import { createBlockletSink } from './blocklet-sink.js';
import { createHubEvents, type HubEvents } from './hub-events.js';
import { createNotifier, type NotificationSink, type Notifier } from './notifier.js';
import { createWebhookSink } from './webhook-sink.js';

export interface Notifications {
  notifier: Notifier;
  events: HubEvents;
  close(): Promise<void>;
}

export function setupNotifications(deps: {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  models: Models;
  billing: BillingBackend;
  recordsSettled: () => Promise<void>;
}): Notifications {
  const { config } = deps;
  const sinks: NotificationSink[] = [];
  if (config.blocklet.enabled) sinks.push(createBlockletSink(deps.models));
  if (config.notify.webhookUrl && config.notify.webhookSecret) {
    sinks.push(createWebhookSink({ url: config.notify.webhookUrl, secret: config.notify.webhookSecret, userAgent: `aigne-hub/${config.version}` }));
  }
  const notifier = createNotifier({ models: deps.models, logger: deps.logger, sinks });
  const events = createHubEvents({
    sequelize: deps.sequelize,
    models: deps.models,
    logger: deps.logger,
    notifier,
    billing: deps.billing,
    lowBalanceCredits: config.notify.lowBalanceCredits,
    recordsSettled: deps.recordsSettled,
  });

  // Every grant (an admin's, a new user's) is told: the backend's own method, observed.
  const grant = deps.billing.grant.bind(deps.billing);
  deps.billing.grant = async (request) => {
    const view = await grant(request);
    events.granted(request, view);
    return view;
  };

  return {
    notifier,
    events,
    async close() {
      await events.settled().catch(() => {});
      await notifier.close();
    },
  };
}
