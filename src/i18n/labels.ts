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
