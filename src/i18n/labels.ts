/** Names the server sends in English (catalog fields, capabilities), shown in the current language. */
import { t, type MessageKey } from './en';

const FIELD_KEYS: Record<string, MessageKey> = {
  api_key: 'credentials.apiKey',
  access_key_id: 'credentials.field.accessKeyId',
  secret_access_key: 'credentials.field.secretAccessKey',
};

const CAPABILITY_KEYS: Record<string, MessageKey> = {
  chat: 'providers.capability.chat',
  embedding: 'providers.capability.embedding',
  image: 'providers.capability.image',
  audio: 'rates.type.audio',
  video: 'rates.type.video',
};

const TRANSACTION_KEYS: Record<string, MessageKey> = {
  grant: 'credits.type.grant',
  charge: 'credits.type.charge',
  refund: 'credits.type.refund',
  expire: 'credits.type.expire',
};

/** The hub's own unit is `credits`; another currency (Payment Kit's) keeps its name. */
export function currencyLabel(currency: string | null | undefined): string {
  return !currency || currency === 'credits' ? t('credits.unit') : currency;
}

export function transactionTypeLabel(type: string | null | undefined): string {
  if (!type) return t('common.none');
  const key = TRANSACTION_KEYS[type];
  return key ? t(key) : type;
}

/** A credential field's label; the server's own for a field this dashboard does not know. */
export function credentialFieldLabel(field: { key: string; label: string }): string {
  const key = FIELD_KEYS[field.key];
  return key ? t(key) : field.label;
}

/** A catalog entry's name: brands stay as they are; the generic OpenAI-compatible server is translated. */
export function catalogDisplayName(entry: { id: string; displayName: string }): string {
  return entry.id === 'openai-compatible' ? t('providers.openaiCompatible') : entry.displayName;
}

export function capabilityLabel(capability: string): string {
  const key = CAPABILITY_KEYS[capability];
  return key ? t(key) : capability;
}

/** A rate's side (`input`, `output`) in words. */
export function rateSideLabel(side: string): string {
  return side === 'input' ? t('rates.inputRate') : side === 'output' ? t('rates.outputRate') : side;
}

const NOTIFICATION_TYPES = ['credential.disabled', 'credential.restored', 'credits.low', 'credits.granted', 'rate.below_cost', 'model.unhealthy'] as const;

/**
 * A notification's title and message in the current language, built from its type and data; the
 * server's English words for a type this dashboard does not know.
 */
export function notificationText(n: { type: string; title: string; message: string; data: Record<string, unknown> }): { title: string; message: string } {
  const type = NOTIFICATION_TYPES.find((known) => known === n.type);
  if (!type) return { title: n.title, message: n.message };
  const d = n.data;
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const sides = Array.isArray(d.sides) ? (d.sides as Array<Record<string, unknown>>) : [];
  const params = {
    provider: str(d.provider),
    credential: str(d.credentialName ?? d.credentialId),
    // A grant's reason follows its amount in brackets; a credential's reason stands alone.
    reason: n.type === 'credits.granted' ? (d.reason ? ` (${str(d.reason)})` : '') : str(d.reason),
    how: str(d.how),
    balance: str(d.balance),
    threshold: str(d.threshold),
    amount: str(d.amount),
    model: `${str(d.provider)}/${str(d.model)}`,
    sides: sides.map((s) => `${rateSideLabel(str(s.side))} (${str(s.rate)} < ${str(s.cost)})`).join(', '),
    error: str(d.error),
  };
  return { title: t(`notifications.${type}`, params), message: t(`notifications.${type}.message`, params) };
}
