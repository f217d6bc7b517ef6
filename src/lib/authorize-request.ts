/** An app's request for a key, as it arrives at /auth/authorize (API.md §16), checked before it is shown. */
import type { AuthorizeRequest, KeyLimits } from '../api/client';
import { t } from '../i18n/en';

const LOOPBACK = /^(localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** The same rule the hub applies: https: anywhere, http: only to this machine. */
export function callbackAllowed(url: URL): boolean {
  if (url.username || url.password || url.hash) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}

const count = (v: unknown) => v === null || v === undefined || (Number.isInteger(v) && (v as number) > 0);
const PERIODS = ['day', 'week', 'month', 'total'];

/** The limits an app asks for, when they have the shape of API.md §14 (the hub checks them again). */
function limitsOf(v: unknown): KeyLimits | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const l = v as Record<string, unknown>;
  if (Object.keys(l).some((k) => !['rpm', 'tpm', 'maxConcurrent', 'models', 'budget'].includes(k))) return null;
  if (!count(l.rpm) || !count(l.tpm) || !count(l.maxConcurrent)) return null;
  if (l.models != null && !(Array.isArray(l.models) && l.models.length > 0 && l.models.every((m) => typeof m === 'string'))) return null;
  const b = l.budget as Record<string, unknown> | null | undefined;
  if (b != null && !(typeof b === 'object' && /^\d+(\.\d+)?$/.test(String(b.credits)) && PERIODS.includes(String(b.period)))) return null;
  return {
    rpm: (l.rpm as number | undefined) ?? null,
    tpm: (l.tpm as number | undefined) ?? null,
    maxConcurrent: (l.maxConcurrent as number | undefined) ?? null,
    models: (l.models as string[] | undefined) ?? null,
    budget: b ? { credits: String(b.credits), period: b.period as NonNullable<KeyLimits['budget']>['period'] } : null,
  };
}

export type ParsedRequest = { ok: true; request: AuthorizeRequest; callback: URL } | { ok: false; reason: string; appName: string };

export function parseAuthorizeRequest(query: URLSearchParams): ParsedRequest {
  const appName = query.get('app_name')?.trim() ?? '';
  const fail = (reason: string): ParsedRequest => ({ ok: false, reason, appName });
  for (const field of ['callback_url', 'code_challenge', 'app_name']) {
    if (!query.get(field)?.trim()) return fail(t('authorize.missing', { field }));
  }
  if ((query.get('code_challenge_method') ?? 'S256') !== 'S256') return fail(t('authorize.badMethod'));
  let callback: URL;
  try {
    callback = new URL(query.get('callback_url')!);
  } catch {
    return fail(t('authorize.badCallback'));
  }
  if (!callbackAllowed(callback)) return fail(t('authorize.badCallback'));
  let limits: KeyLimits | null = null;
  const rawLimits = query.get('limits');
  if (rawLimits) {
    try {
      limits = limitsOf(JSON.parse(rawLimits) as unknown);
      if (!limits) return fail(t('authorize.badLimits'));
    } catch {
      return fail(t('authorize.badLimits'));
    }
  }
  const state = query.get('state');
  return {
    ok: true,
    callback,
    request: {
      callback_url: callback.href,
      code_challenge: query.get('code_challenge')!,
      code_challenge_method: 'S256',
      app_name: appName,
      ...(limits ? { limits } : {}),
      ...(state !== null ? { state } : {}),
    },
  };
}

/** Where a denied request sends the browser: the callback with OAuth's `access_denied`. */
export function deniedUrl(callback: URL, state?: string): string {
  const url = new URL(callback.href);
  url.searchParams.set('error', 'access_denied');
  if (state !== undefined) url.searchParams.set('state', state);
  return url.href;
}
