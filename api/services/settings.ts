/**
 * What operators change without a shell: credit billing, the new user's grant, the credit prefix,
 * the guest playground, providers left out of rotation, the low-balance threshold and the
 * notification webhook. Standalone they come from the environment (config.ts); inside Blocklet
 * Server from the app's preferences (the form blocklet.prefs.json describes), read through
 * @blocklet/sdk, which tells of every change: the hub applies it at once, without a restart.
 */
import type { Config } from '../config.js';
import { normalizeDecimal } from '../lib/decimal.js';
import type { Logger } from '../lib/logger.js';

export interface HubSettings {
  readonly creditBillingEnabled: boolean;
  /** Credits given to a user on first sight (decimal string). */
  readonly newUserCreditGrant: string;
  /** Shown before amounts of credits, e.g. `$` or `⚡`. */
  readonly creditPrefix: string;
  /** Visitors may try the playground without signing in. */
  readonly guestPlaygroundEnabled: boolean;
  /** Provider ids that bare model names are never routed to (a `provider/model` name still reaches them). */
  readonly excludedProviders: readonly string[];
  /** A user's balance under this many credits is "low" (decimal string; `0`: never). */
  readonly lowBalanceCredits: string;
  readonly notifyWebhookUrl: string | null;
}

export type SettingsSource = 'environment' | 'blocklet';

export interface SettingsService {
  readonly source: SettingsSource;
  current(): HubSettings;
  onChange(listener: (settings: HubSettings) => void): () => void;
  close(): void;
}

export function settingsFromConfig(config: Config): HubSettings {
  return Object.freeze({ ...config.settings, excludedProviders: Object.freeze([...config.settings.excludedProviders]) });
}

const flag = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const s = value.trim().toLowerCase();
  return ['true', '1', 'yes', 'on'].includes(s) ? true : ['false', '0', 'no', 'off', ''].includes(s) ? false : undefined;
};
const decimal = (value: unknown): string | undefined => {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const d = normalizeDecimal(String(value).trim() || '0');
  return d && !d.startsWith('-') ? d : undefined;
};
const list = (value: unknown): string[] | undefined => {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\s]+/) : undefined;
  return items?.map((x) => String(x).trim().toLowerCase()).filter((x) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(x));
};
const url = (value: unknown): string | null | undefined => {
  if (value === null || value === '') return null;
  return typeof value === 'string' && /^https?:\/\/\S+$/.test(value.trim()) ? value.trim() : undefined;
};
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 16 ? value.trim() : undefined);

const PARSERS: { [K in keyof HubSettings]: (value: unknown) => HubSettings[K] | undefined } = {
  creditBillingEnabled: flag,
  newUserCreditGrant: decimal,
  creditPrefix: text,
  guestPlaygroundEnabled: flag,
  excludedProviders: list,
  lowBalanceCredits: decimal,
  notifyWebhookUrl: url,
};

/**
 * The operator's preferences over `base`: a preference left unset keeps the environment's value,
 * one that does not parse is named in `problems` and keeps it too.
 */
export function applyPreferences(base: HubSettings, preferences: Record<string, unknown>): { settings: HubSettings; problems: string[] } {
  const next: Record<string, unknown> = { ...base };
  const problems: string[] = [];
  for (const key of Object.keys(PARSERS) as Array<keyof HubSettings>) {
    const raw = preferences[key];
    if (raw === undefined) continue;
    const value = PARSERS[key](raw);
    if (value === undefined) problems.push(key);
    else next[key] = value;
  }
  return { settings: Object.freeze(next) as unknown as HubSettings, problems };
}

interface BlockletConfigModule {
  env: { preferences?: Record<string, unknown> };
  events: { on(event: string, fn: (update: { preferences?: unknown }) => void): void; off(event: string, fn: (update: unknown) => void): void };
  Events: { envUpdate: string };
}

export async function createSettings(config: Config, logger: Logger): Promise<SettingsService> {
  const base = settingsFromConfig(config);
  let current = base;
  const listeners = new Set<(settings: HubSettings) => void>();
  let close = () => undefined as void;

  if (config.blocklet.enabled) {
    const sdk = (await import('@blocklet/sdk/lib/config.js')) as unknown as BlockletConfigModule & { default?: BlockletConfigModule };
    const { env, events, Events } = sdk.default ?? sdk;
    const load = () => {
      const { settings, problems } = applyPreferences(base, env.preferences ?? {});
      if (problems.length) logger.warn('preferences ignored: not valid', { preferences: problems });
      current = settings;
    };
    load();
    // The SDK merges each change into env.preferences, then emits it.
    const onUpdate = (update: { preferences?: unknown }) => {
      if (!update?.preferences) return;
      load();
      logger.info('preferences applied', { settings: { ...current, notifyWebhookUrl: current.notifyWebhookUrl ? 'set' : null } });
      for (const listener of listeners) listener(current);
    };
    events.on(Events.envUpdate, onUpdate);
    close = () => events.off(Events.envUpdate, onUpdate as (update: unknown) => void);
  }

  return {
    source: config.blocklet.enabled ? 'blocklet' : 'environment',
    current: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => close(),
  };
}
