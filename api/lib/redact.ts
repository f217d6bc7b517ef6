/** Removes secrets from text that may be shown to a client or written to a log. No domain imports. */
const MASK = '****';

const KEY_PATTERNS = [
  /\bsk-ant-[A-Za-z0-9_-]{6,}/g,
  /\b(?:sk|pk|rk|ak|xai|gsk|key)[-_][A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{12,}\b/g,
  /\baigne_[A-Za-z0-9_-]{8,}/g,
];
const QUERY_KEY = /([?&](?:key|api_key|apikey|token|access_token)=)[^&\s"']+/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

/**
 * `text` with every known secret value (whatever its shape; values under 4 characters are too
 * common to mask) and anything shaped like a key replaced by `****`.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  // Longest first: a secret that contains another is masked whole.
  const values = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of values) out = out.split(s).join(MASK);
  for (const re of KEY_PATTERNS) out = out.replace(re, MASK);
  return out.replace(QUERY_KEY, `$1${MASK}`).replace(BEARER, `$1${MASK}`);
}
