/**
 * Fetches a URL a caller handed the hub, without letting the caller reach the hub's own network:
 * every address the name resolves to must be a public unicast one (ipaddr.js' ranges, IPv4 forms
 * inside IPv6 addresses unwrapped), the connection goes to the address that was checked (the check
 * is the connection's own lookup, so there is no second one), every redirect is checked the same
 * way, and the body is cut off at a size and a time limit. No domain imports.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';

export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
}

export interface PublicFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Host names or addresses (with an optional `/prefix`) an operator trusts although they are not public. */
  allowHosts?: readonly string[];
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface FetchedFile {
  data: Buffer;
  /** The answer's media type, without parameters. */
  mimeType: string | undefined;
}

/** Why an address may not be fetched from, or null when it is a public unicast address. */
export function addressProblem(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'is not an address';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return range === 'unicast' ? null : `points at a non-public address (${range})`;
}

/** Whether an operator's allow list (host names, addresses, CIDR ranges) covers this host or address. */
export function allowed(host: string, address: string | null, allowHosts: readonly string[]): boolean {
  for (const entry of allowHosts) {
    if (entry === host) return true;
    if (!address) continue;
    try {
      const [net, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32];
      const ip = ipaddr.parse(address);
      if (ip.kind() === net.kind() && ip.match(net, bits)) return true;
    } catch {
      // a host name entry, compared above
    }
  }
  return false;
}

/** The connection's own lookup: resolves, refuses any non-public answer, and hands back what it checked. */
function guardedLookup(allowHosts: readonly string[]) {
  return (hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(new FetchRefusedError(`its host could not be resolved (${err.code ?? 'error'})`), '', 0);
      for (const a of addresses) {
        const problem = addressProblem(a.address);
        if (problem && !allowed(hostname, a.address, allowHosts)) return callback(new FetchRefusedError(problem), '', 0);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

const agents = new Map<string, Agent>();
function agentFor(allowHosts: readonly string[]): Agent {
  const key = allowHosts.join(',');
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(allowHosts) as never }, keepAliveTimeout: 5_000, connections: 64 });
    agents.set(key, agent);
  }
  return agent;
}

/** Throws a FetchRefusedError when the URL may not be fetched before any connection is made. */
function checkUrl(url: URL, allowHosts: readonly string[]): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefusedError('must be an http(s) or data: URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const problem = addressProblem(host);
    if (problem && !allowed(host, host, allowHosts)) throw new FetchRefusedError(problem);
  } else if ((host === 'localhost' || host.endsWith('.localhost')) && !allowed(host, null, allowHosts)) {
    throw new FetchRefusedError('points at a non-public address (loopback)');
  }
}

type Answer = Awaited<ReturnType<typeof request>>;

interface GuardedRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  allowHosts: readonly string[];
  timeoutMs: number;
  maxRedirects: number;
  signal?: AbortSignal;
  /** Which redirects are followed (each hop's address checked again). */
  follows: (status: number) => boolean;
  /** The error for a receiver that could not be reached (not a refusal). */
  unreachable: (err: unknown, timedOut: boolean) => Error;
}

/** One request through the guard: the URL checked, every address checked at the connection, redirects checked again. */
async function guardedRequest(raw: string, o: GuardedRequest): Promise<{ res: Answer; signal: AbortSignal }> {
  const signal = o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]) : AbortSignal.timeout(o.timeoutMs);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefusedError('is not a valid URL');
  }
  for (let hop = 0; ; hop++) {
    checkUrl(url, o.allowHosts);
    let res: Answer;
    try {
      res = await request(url, { method: o.method, dispatcher: agentFor(o.allowHosts), signal, headers: o.headers, body: o.body });
    } catch (err) {
      if (err instanceof FetchRefusedError) throw err;
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof FetchRefusedError) throw cause;
      throw o.unreachable(err, signal.aborted);
    }
    if (o.follows(res.statusCode) && res.headers.location) {
      res.body.resume();
      if (hop >= o.maxRedirects) throw new FetchRefusedError('redirects too many times');
      url = new URL(String(res.headers.location), url);
      continue;
    }
    return { res, signal };
  }
}

export async function fetchPublic(raw: string, o: PublicFetchOptions): Promise<FetchedFile> {
  const { res, signal } = await guardedRequest(raw, {
    method: 'GET',
    headers: { accept: 'image/*,*/*;q=0.5' },
    allowHosts: o.allowHosts ?? [],
    timeoutMs: o.timeoutMs,
    maxRedirects: o.maxRedirects ?? 3,
    signal: o.signal,
    follows: (status) => status >= 300 && status < 400,
    unreachable: (err, timedOut) => new FetchRefusedError(timedOut ? 'took too long to download' : `could not be downloaded (${(err as { code?: string }).code ?? 'error'})`),
  });
  if (res.statusCode >= 400) {
    res.body.resume();
    throw new FetchRefusedError(`answered ${res.statusCode}`);
  }
  const declared = Number(res.headers['content-length']);
  if (declared > o.maxBytes) {
    res.body.destroy();
    throw new FetchRefusedError(`is larger than ${o.maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > o.maxBytes) {
        res.body.destroy();
        throw new FetchRefusedError(`is larger than ${o.maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof FetchRefusedError) throw err;
    throw new FetchRefusedError(signal.aborted ? 'took too long to download' : 'could not be downloaded whole');
  }
  const type = res.headers['content-type'];
  const mimeType = typeof type === 'string' ? type.split(';')[0]!.trim().toLowerCase() || undefined : undefined;
  return { data: Buffer.concat(chunks, size), mimeType };
}

export interface PublicPostOptions {
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowHosts?: readonly string[];
  maxRedirects?: number;
  signal?: AbortSignal;
}

/**
 * POSTs to a URL through the same guard (every address checked at the connection, every redirect
 * checked again). Only 307/308 redirects are followed, as they keep the method and body; the
 * answer's body is drained unread. Resolves with the final status.
 */
export async function postPublic(raw: string, o: PublicPostOptions): Promise<{ status: number }> {
  const { res } = await guardedRequest(raw, {
    method: 'POST',
    headers: o.headers,
    body: o.body,
    allowHosts: o.allowHosts ?? [],
    timeoutMs: o.timeoutMs,
    maxRedirects: o.maxRedirects ?? 3,
    signal: o.signal,
    follows: (status) => status === 307 || status === 308,
    // Not a refusal: the receiver could not be reached this time (worth trying again).
    unreachable: (err, timedOut) => new Error(timedOut ? 'did not answer in time' : `could not be reached (${(err as { code?: string }).code ?? 'error'})`),
  });
  res.body.resume();
  return { status: res.statusCode };
}
