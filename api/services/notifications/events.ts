/**
 * The events the hub tells people about, each built with its key: the same event always gets the
 * same key, and the database keeps one notification per key. Data carries ids, names and figures,
 * never a secret.
 */
import { createHash } from 'node:crypto';
import type { NotificationSeverity, NotificationType } from '../../wire/notifications.js';

export interface HubEvent {
  type: NotificationType;
  key: string;
  severity: NotificationSeverity;
  title: string;
  message: string;
  userDid: string | null;
  data: Record<string, unknown>;
}

const KEY_LIMIT = 300;

/** `type:part:part…`, hashed past the column's length. */
export function eventKey(type: NotificationType, ...parts: string[]): string {
  const key = [type, ...parts].join(':');
  return key.length <= KEY_LIMIT ? key : `${type}:${createHash('sha256').update(key).digest('hex')}`;
}

interface CredentialRef {
  credentialId: string;
  credentialName: string | null;
  providerId: string;
  provider: string;
}

export const credentialDisabled = (c: CredentialRef, reason: string, since: Date): HubEvent => ({
  type: 'credential.disabled',
  key: eventKey('credential.disabled', c.credentialId, since.toISOString()),
  severity: 'error',
  title: `A ${c.provider} credential was disabled`,
  message: `${c.provider} credential ${c.credentialName ?? c.credentialId} was taken out of rotation: ${reason}. It is re-checked and comes back by itself once the provider accepts it.`,
  userDid: null,
  data: { ...c, reason },
});

export const credentialRestored = (c: CredentialRef, how: string, since: Date): HubEvent => ({
  type: 'credential.restored',
  key: eventKey('credential.restored', c.credentialId, since.toISOString()),
  severity: 'success',
  title: `A ${c.provider} credential is back`,
  message: `${c.provider} credential ${c.credentialName ?? c.credentialId} is in rotation again (${how}).`,
  userDid: null,
  data: { ...c, how },
});

export const creditsLow = (userDid: string, balance: string, threshold: string, since: Date): HubEvent => ({
  type: 'credits.low',
  key: eventKey('credits.low', userDid, since.toISOString()),
  severity: 'warning',
  title: 'Credits are running low',
  message: `The balance is ${balance} credits, under ${threshold}. Calls stop when it cannot cover them.`,
  userDid,
  data: { userDid, balance, threshold },
});

export const creditsGranted = (userDid: string, grantId: string, amount: string, balance: string, reason: string | null): HubEvent => ({
  type: 'credits.granted',
  key: eventKey('credits.granted', grantId),
  severity: 'success',
  title: 'Credits granted',
  message: `${amount} credits were granted${reason ? ` (${reason})` : ''}; the balance is now ${balance}.`,
  userDid,
  data: { userDid, grantId, amount, balance, reason },
});

export interface BelowCost {
  rateId: string;
  providerId: string;
  provider: string;
  model: string;
  type: string;
  sides: { side: string; rate: string; cost: string }[];
}

export const rateBelowCost = (r: BelowCost, state: string): HubEvent => ({
  type: 'rate.below_cost',
  key: eventKey('rate.below_cost', r.rateId, state),
  severity: 'warning',
  title: `${r.provider}/${r.model} is sold below cost`,
  message: `The rate of ${r.provider}/${r.model} is under what the provider charges for ${r.sides.map((s) => `${s.side} (${s.rate} < ${s.cost} credits per token)`).join(', ')}.`,
  userDid: null,
  data: { ...r },
});

export interface ModelRef {
  providerId: string;
  provider: string;
  model: string;
  type: string;
}

export const modelUnhealthy = (m: ModelRef, error: string, since: Date): HubEvent => ({
  type: 'model.unhealthy',
  key: eventKey('model.unhealthy', m.providerId, m.type, m.model, since.toISOString()),
  severity: 'error',
  title: `${m.provider}/${m.model} failed its health check`,
  message: `${m.provider}/${m.model} did not answer its health check: ${error}. It is shown as unavailable until a check passes.`,
  userDid: null,
  data: { ...m, error },
});
