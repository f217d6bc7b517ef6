/**
 * The keep-alive connection pool for requests to upstream providers: the same-wire relay's
 * dispatches and the provider SDKs' fetches (sdk-fetch.ts). No header or body timeout of its own:
 * the gateway's attempt deadlines and idle timeouts decide.
 *
 * With HTTP(S)_PROXY set (config.proxy), the pool is undici's EnvHttpProxyAgent, given the
 * settings explicitly so that it never reads the environment itself; without, a plain Agent: the
 * proxy agent would parse every request's origin (several µs) only to pick the same pool.
 */
import { Agent, EnvHttpProxyAgent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';

export interface ProxySettings {
  /** Proxy for http:// upstreams (and https:// ones when `httpsProxy` is unset). */
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  /** Comma- or space-separated hosts (`example.com`, `.example.com`, `*.example.com`, `host:port`) or `*`. */
  readonly noProxy?: string;
}

const POOL_OPTIONS = {
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 1024,
  headersTimeout: 0,
  bodyTimeout: 0,
} as const;

const nodeDefaultDispatcher = getGlobalDispatcher();
let settings: ProxySettings = {};

export let upstreamAgent: Dispatcher = new Agent(POOL_OPTIONS);

function proxied(proxy: ProxySettings): boolean {
  return Boolean(proxy.httpProxy || proxy.httpsProxy);
}

function proxyAgent(proxy: ProxySettings, options: object): EnvHttpProxyAgent {
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy ?? '',
  });
}

/**
 * Routes upstream calls through the proxies (or straight again). Node's own `fetch`, which some
 * provider SDKs call without a way to pass ours (Ideogram's class), follows the same settings.
 */
export function configureUpstreamProxy(proxy: ProxySettings): void {
  const previous = upstreamAgent;
  settings = { ...proxy };
  upstreamAgent = proxied(proxy) ? proxyAgent(proxy, POOL_OPTIONS) : new Agent(POOL_OPTIONS);
  setGlobalDispatcher(proxied(proxy) ? proxyAgent(proxy, {}) : nodeDefaultDispatcher);
  // Calls in flight finish on the pool they started on.
  void previous.close().catch(() => undefined);
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy URL for a request to `url`, or undefined for a direct connection: the same choice
 * EnvHttpProxyAgent makes, for clients that do not fetch through undici (the AWS SDK).
 */
export function proxyFor(url: string): string | undefined {
  if (!proxied(settings)) return undefined;
  const target = new URL(url);
  const proxy = target.protocol === 'https:' ? settings.httpsProxy || settings.httpProxy : settings.httpProxy;
  if (!proxy) return undefined;
  const host = target.hostname.toLowerCase();
  const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0;
  for (const entry of (settings.noProxy ?? '').split(/[,\s]+/).filter(Boolean)) {
    if (entry === '*') return undefined;
    const match = /^(.+):(\d+)$/.exec(entry);
    const name = (match ? match[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (match && Number(match[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  return proxy;
}
