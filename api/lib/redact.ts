/** Removes secrets from text that may be shown to a client or written to a log. */
const KEY_LIKE = /\b(?:sk|pk|rk|ak|xai|aigne|AIza|gsk|key)[-_][A-Za-z0-9_\-]{8,}|\bAIza[0-9A-Za-z_\-]{20,}|\bBearer\s+[A-Za-z0-9._\-]{8,}/g;

export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  return out.replace(KEY_LIKE, '[redacted]');
}
