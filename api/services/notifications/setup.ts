/** The notifier with the sinks this hub has, and the hub's event sources wired to it. */
import type { Sequelize } from 'sequelize';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { BillingBackend } from '../billing/backend.js';
import type { HubSettings } from '../settings.js';
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
  /** The operator's settings of the moment: the webhook URL and the low-balance threshold apply without a restart. */
  settings: () => Pick<HubSettings, 'notifyWebhookUrl' | 'lowBalanceCredits'>;
}): Notifications {
  const { config } = deps;
  const sinks: NotificationSink[] = [];
  if (config.blocklet.enabled) sinks.push(createBlockletSink(deps.models));
  const secret = config.notify.webhookSecret;
  if (secret) sinks.push(liveWebhookSink(() => deps.settings().notifyWebhookUrl, secret, `aigne-hub/${config.version}`));
  const notifier = createNotifier({ models: deps.models, logger: deps.logger, sinks });
  const events = createHubEvents({
    sequelize: deps.sequelize,
    models: deps.models,
    logger: deps.logger,
    notifier,
    billing: deps.billing,
    // `0` (the settings' default) tells of nothing, as an unset threshold.
    lowBalanceCredits: () => {
      const limit = deps.settings().lowBalanceCredits;
      return limit && limit !== '0' ? limit : undefined;
    },
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

/** The webhook sink for the URL set at the moment of each delivery (none set: skipped). */
function liveWebhookSink(url: () => string | null, secret: string, userAgent: string): NotificationSink {
  let current: { url: string; sink: NotificationSink } | undefined;
  return {
    name: 'webhook',
    deliver(n, signal) {
      const target = url();
      if (!target) return Promise.resolve('skipped');
      if (current?.url !== target) current = { url: target, sink: createWebhookSink({ url: target, secret, userAgent }) };
      return current.sink.deliver(n, signal);
    },
  };
}
