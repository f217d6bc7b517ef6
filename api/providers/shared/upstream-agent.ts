/**
 * The keep-alive connection pool for requests to upstream providers: the same-wire relay's
 * dispatches and the provider SDKs' fetches (sdk-fetch.ts). No header or body timeout of its own:
 * the gateway's attempt deadlines and idle timeouts decide.
 */
import { Agent } from 'undici';

export const upstreamAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 1024,
  headersTimeout: 0,
  bodyTimeout: 0,
});
