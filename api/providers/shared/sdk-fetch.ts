/**
 * The `fetch` given to provider SDKs (`clientOptions.fetch`): undici's, from the package, on one
 * shared keep-alive pool. Node 20's built-in `fetch` (its bundled undici) loads a module through
 * `require` on every call: ~5 % of a streamed Anthropic call's CPU in `perf` of bench phase C.
 */
import { Agent, fetch } from 'undici';

const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 1024, headersTimeout: 0, bodyTimeout: 0 });

export const sdkFetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
  fetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch;
