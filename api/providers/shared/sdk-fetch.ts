/**
 * The `fetch` given to provider SDKs (`clientOptions.fetch`): undici's, from the package, on the
 * shared upstream pool. Node 20's built-in `fetch` (its bundled undici) loads a module through
 * `require` on every call: ~5 % of a streamed Anthropic call's CPU in `perf` of bench phase C.
 */
import { fetch } from 'undici';
import { upstreamAgent } from './upstream-agent.js';

export const sdkFetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
  fetch(input, { ...init, dispatcher: upstreamAgent })) as unknown as typeof globalThis.fetch;
