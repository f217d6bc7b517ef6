/**
 * Where an app may have a user's browser sent back with a one-time code (API.md §16): `https:`
 * anywhere, plain `http:` only to this machine (RFC 8252's loopback redirect for native apps).
 */
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopbackHost(hostname: string): boolean {
  // The URL parser has already normalised `127.1`, `0x7f.0.0.1` and friends to dotted quads.
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** The callback as a URL, or why it cannot be one. */
export function parseCallbackUrl(raw: string): { url: URL } | { problem: string } {
  if (raw.length > 2048) return { problem: 'is longer than 2048 characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not an absolute URL' };
  }
  if (url.username || url.password) return { problem: 'may not carry a user name or password' };
  if (url.hash) return { problem: 'may not carry a #fragment' };
  if (url.protocol === 'https:') return { url };
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? { url } : { problem: 'must use https:, or http: to a loopback address (127.0.0.1, [::1], localhost)' };
  }
  return { problem: 'must use https:, or http: to a loopback address' };
}
