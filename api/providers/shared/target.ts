/** Reading a ProviderTarget: credential fields and base URL, with the manifest's defaults. */
import { ProviderError } from '../../errors.js';
import type { ProviderManifest, ProviderTarget } from '../types.js';

function apiKeyOf(target: ProviderTarget): string | undefined {
  const c = target.credential ?? {};
  return c.api_key || c.apiKey || undefined;
}

/** The API key, or `placeholder` for providers that work without one, or a 401-kind ProviderError. */
export function requireApiKey(target: ProviderTarget, manifest: ProviderManifest, placeholder?: string): string {
  const key = apiKeyOf(target);
  if (key) return key;
  if (placeholder !== undefined) return placeholder;
  throw new ProviderError(`${manifest.displayName}: no API key is configured`, { kind: 'http', status: 401 });
}

/** The base URL to call (never read from the environment here): the target's, else the manifest's default. */
export function baseUrlOf(target: ProviderTarget, manifest: ProviderManifest): string {
  const url = target.baseUrl || manifest.defaultBaseUrl;
  if (!url) {
    throw new ProviderError(`${manifest.displayName}: no base URL is configured`, { kind: 'http', status: 400 });
  }
  return url.replace(/\/+$/, '');
}

/** Credential values, for redaction from error messages. */
export function secretsOf(target: ProviderTarget): string[] {
  return Object.values(target.credential ?? {}).filter((v): v is string => typeof v === 'string' && v.length > 0);
}
