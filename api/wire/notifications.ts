/** API.md §15: events told to people, as admins read them (`GET /api/notifications`) and webhooks receive them. */

export type NotificationType = 'credential.disabled' | 'credential.restored' | 'credits.low' | 'credits.granted' | 'rate.below_cost' | 'model.unhealthy';
export type NotificationSeverity = 'info' | 'success' | 'warning' | 'error';

export interface DeliveryView {
  status: 'sent' | 'failed' | 'skipped';
  attempts: number;
  error?: string;
  at: string;
}

export interface NotificationView {
  id: string;
  type: NotificationType;
  /** Unique per event: the same event is never kept or sent twice. */
  key: string;
  severity: NotificationSeverity;
  title: string;
  message: string;
  /** The user the event is about (credits events). */
  userDid: string | null;
  /** Ids, names and figures of what the event is about; never a secret. */
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
  /** How each sink fared (`webhook`, `blocklet`). */
  deliveries: Record<string, DeliveryView>;
}

/** `GET /api/notifications?limit&cursor&unread` */
export interface NotificationsAnswer {
  data: NotificationView[];
  next?: string;
  unread: number;
}

/** The JSON body POSTed to NOTIFY_WEBHOOK_URL (signed: `x-aigne-hub-signature: sha256=<hex HMAC>`). */
export type WebhookPayload = Omit<NotificationView, 'readAt' | 'deliveries'>;
