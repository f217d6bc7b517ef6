/**
 * Notifications as signed JSON POSTs to the operator's NOTIFY_WEBHOOK_URL:
 * `x-aigne-hub-signature: sha256=<hex HMAC-SHA256 of the exact body with NOTIFY_WEBHOOK_SECRET>`.
 * Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff. The request
 * goes through the hub's guarded fetch: a URL that is itself private (an internal receiver) has
 * exactly its host allowed, and nothing a redirect points at is reached unless public.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FetchRefusedError, postPublic } from '../../lib/public-fetch.js';
import { publicUrlProblem } from '../../lib/public-url.js';
import type { WebhookPayload } from '../../wire/notifications.js';
import type { NotificationSink } from './notifier.js';

export const SIGNATURE_HEADER = 'x-aigne-hub-signature';

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookSinkOptions {
  url: string;
  secret: string;
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First pause between attempts, doubled each time (default 1 s, at most 60 s). */
  backoffMs?: number;
  timeoutMs?: number;
  userAgent?: string;
}

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export function createWebhookSink(o: WebhookSinkOptions): NotificationSink {
  const attempts = o.attempts ?? 5;
  const backoffMs = o.backoffMs ?? 1000;
  let allowHosts: Promise<string[]> | undefined;
  // The operator's own URL may be private on purpose: then that host, and only it, is allowed.
  const allowed = () => (allowHosts ??= publicUrlProblem(o.url).then((problem) => (problem ? [new URL(o.url).hostname.replace(/^\[|\]$/g, '')] : [])));

  return {
    name: 'webhook',
    async deliver(n, signal) {
      const payload: WebhookPayload = { id: n.id, type: n.type, key: n.key, severity: n.severity, title: n.title, message: n.message, userDid: n.userDid, data: n.data, createdAt: n.createdAt };
      const body = JSON.stringify(payload);
      const headers = {
        'content-type': 'application/json',
        'user-agent': o.userAgent ?? 'aigne-hub-notifier',
        [SIGNATURE_HEADER]: signBody(body, o.secret),
        'x-aigne-hub-event': n.type,
        'x-aigne-hub-delivery': n.id,
      };
      let last = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const { status } = await postPublic(o.url, { body, headers, timeoutMs: o.timeoutMs ?? 10_000, allowHosts: await allowed(), signal });
          if (status >= 200 && status < 300) return { attempts: attempt };
          last = `the receiver answered ${status}`;
          if (!retryable(status)) throw new DeliveryError(last, attempt);
        } catch (err) {
          if (err instanceof DeliveryError) throw err;
          // A refused address stays refused: not retried.
          if (err instanceof FetchRefusedError) throw new DeliveryError(`the webhook URL ${err.message}`, attempt);
          last = `the receiver ${(err as Error).message}`;
        }
        if (attempt === attempts || signal.aborted) break;
        await sleep(Math.min(60_000, backoffMs * 2 ** (attempt - 1)), undefined, { signal }).catch(() => {});
      }
      throw new DeliveryError(last, attempts);
    },
  };
}
