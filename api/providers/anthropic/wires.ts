/**
 * The Anthropic Messages API on its own wire: requests from /api/v1/messages go up as they are, with
 * the provider's key and the client's `anthropic-version` / `anthropic-beta`.
 */
import { createWireEndpoint } from '../shared/wire-endpoint.js';
import { requireApiKey } from '../shared/target.js';
import type { ProviderAdapter, ProviderTarget, WireRequest } from '../types.js';
import { anthropicManifest } from './manifest.js';

/** The version the hub asks for when the client names none. */
const DEFAULT_VERSION = '2023-06-01';

function anthropicHeaders(target: ProviderTarget, req: WireRequest): Record<string, string> {
  const headers: Record<string, string> = {
    'x-api-key': requireApiKey(target, anthropicManifest),
    'anthropic-version': req.headers?.['anthropic-version'] ?? DEFAULT_VERSION,
  };
  const beta = req.headers?.['anthropic-beta'];
  if (beta) headers['anthropic-beta'] = beta;
  return headers;
}

export const anthropicWires: NonNullable<ProviderAdapter['wires']> = {
  'anthropic-messages': createWireEndpoint({ manifest: anthropicManifest, path: '/v1/messages', headers: anthropicHeaders }),
  'anthropic-count-tokens': createWireEndpoint({ manifest: anthropicManifest, path: '/v1/messages/count_tokens', headers: anthropicHeaders }),
};
