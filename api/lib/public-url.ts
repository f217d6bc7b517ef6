/**
 * Checks a URL the hub hands to a provider that fetches it itself (from its own network, not the
 * hub's): only http(s), and no name or address of a private network. URLs the hub fetches itself go
 * through public-fetch.ts, which checks at the connection.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { addressProblem, allowed } from './public-fetch.js';

/** Returns why the URL may not be used, or null when it may (`allowHosts`: trusted although not public). */
export async function publicUrlProblem(raw: string, allowHosts: readonly string[] = []): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) or data: URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowed(host, isIP(host) ? host : null, allowHosts)) return null;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return 'points at a non-public address (loopback)';
  if (isIP(host)) return addressProblem(host);
  try {
    for (const a of await lookup(host, { all: true })) {
      const problem = addressProblem(a.address);
      if (problem && !allowed(host, a.address, allowHosts)) return problem;
    }
  } catch {
    return null; // unresolvable here: the provider will say so
  }
  return null;
}
