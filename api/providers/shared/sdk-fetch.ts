/**
 * The `fetch` given to provider SDKs (`clientOptions.fetch`): undici's, from the package, on the
 * shared upstream pool. Node 20's built-in `fetch` costs more per call (docs/performance.md).
 */
import { fetch } from 'undici';
import { upstreamAgent } from './upstream-agent.js';

export const sdkFetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
  fetch(input, { ...init, dispatcher: upstreamAgent })) as unknown as typeof globalThis.fetch;
