/**
 * One notifier for every event: it keeps the event for admins (a row whose key is unique, so an
 * event is kept once whichever instance saw it) and, when this instance kept it, hands it to each
 * sink (a signed webhook, Blocklet Server's notification service), recording how each fared.
 */
import { UniqueConstraintError } from 'sequelize';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { DeliveryState, Notification } from '../../store/models/notification.js';
import type { NotificationView, NotificationType } from '../../wire/notifications.js';
import type { HubEvent } from './events.js';

export interface NotificationSink {
  name: string;
  /** Resolves with the attempts it took; throws (after its own retries) when it gave up. */
  deliver(n: NotificationView, signal: AbortSignal): Promise<{ attempts: number } | 'skipped'>;
}

export interface Notifier {
  /** Keeps and sends the event; resolves with it, or null when it was already told. */
  notify(event: HubEvent): Promise<NotificationView | null>;
  /** Resolves when the deliveries under way are done (tests, shutdown). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function toNotificationView(row: Notification): NotificationView {
  return {
    id: row.id,
    type: row.type as NotificationType,
    key: row.eventKey,
    severity: row.severity,
    title: row.title,
    message: row.message,
    userDid: row.userDid,
    data: row.data ?? {},
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt ? row.readAt.toISOString() : null,
    deliveries: row.deliveries ?? {},
  };
}

export function createNotifier(deps: { models: Pick<Models, 'Notification'>; logger: Logger; sinks: NotificationSink[] }): Notifier {
  const { models, logger } = deps;
  const pending = new Set<Promise<void>>();
  const stop = new AbortController();

  const deliver = async (row: Notification) => {
    const view = toNotificationView(row);
    const results: Record<string, DeliveryState> = {};
    await Promise.all(
      deps.sinks.map(async (sink) => {
        const at = () => new Date().toISOString();
        try {
          const r = await sink.deliver(view, stop.signal);
          results[sink.name] = r === 'skipped' ? { status: 'skipped', attempts: 0, at: at() } : { status: 'sent', attempts: r.attempts, at: at() };
        } catch (err) {
          const attempts = (err as { attempts?: number }).attempts ?? 1;
          results[sink.name] = { status: 'failed', attempts, error: (err as Error).message.slice(0, 300), at: at() };
          logger.warn('a notification could not be delivered', { sink: sink.name, type: row.type, notificationId: row.id, error: (err as Error).message });
        }
      }),
    );
    await models.Notification.update({ deliveries: results }, { where: { id: row.id } });
  };

  return {
    async notify(event) {
      let row: Notification;
      try {
        row = await models.Notification.create({
          id: newId(),
          eventKey: event.key,
          type: event.type,
          severity: event.severity,
          title: event.title.slice(0, 300),
          message: event.message,
          userDid: event.userDid,
          data: event.data,
          deliveries: null,
          readAt: null,
          createdAt: new Date(),
        });
      } catch (err) {
        if (err instanceof UniqueConstraintError) return null;
        throw err;
      }
      logger.info('notification', { type: event.type, key: event.key });
      if (deps.sinks.length) {
        const p = deliver(row)
          .catch((err) => logger.warn('recording a delivery failed', { err }))
          .finally(() => pending.delete(p));
        pending.add(p);
      }
      return toNotificationView(row);
    },
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    async close() {
      stop.abort();
      await this.settled();
    },
  };
}
