/**
 * Counting a request's input tokens (Anthropic's count_tokens): the provider's own count where it
 * offers one, else the hub's estimate. Counting is no model call: nothing is charged or recorded,
 * and a failed count falls back to the estimate.
 */
import { AttemptAbort } from '../../lib/attempt-abort.js';
import type { WireFormat } from '../../providers/types.js';
import { pickCredential } from './credential-pool.js';
import type { Gateway } from './gateway.js';
import { targetOf } from './routing.js';

/** How long the hub waits for a provider's own count before it answers its estimate. */
const COUNT_TIMEOUT_MS = 10_000;

export interface CountRequest {
  model: string;
  /** The request in `wire`'s format, for the upstream's model name. */
  body(upstreamModel: string): Record<string, unknown>;
  wire: WireFormat;
  headers?: Record<string, string>;
  estimate: number;
}

export async function countInputTokens(gateway: Gateway, req: CountRequest): Promise<number> {
  const candidates = await gateway.routing.resolve(req.model, 'chatCompletion');
  const c = candidates[0]!;
  const count = c.provider.module.adapter.wires?.[req.wire];
  const credential = count && pickCredential(c.provider.credentials, new Set());
  if (!count || !credential) return req.estimate;
  const abort = new AttemptAbort();
  const timer = setTimeout(() => abort.abort(), COUNT_TIMEOUT_MS);
  try {
    const answer = await count({ body: req.body(c.upstreamModel), stream: false, abort, headers: req.headers }, targetOf(c.provider, credential.id));
    const counted = answer.kind === 'json' ? (JSON.parse(answer.text) as { input_tokens?: unknown }).input_tokens : undefined;
    if (typeof counted === 'number') return counted;
  } catch (err) {
    gateway.logger.warn('token count failed; answering the estimate', { err: (err as Error).message, provider: c.provider.name });
  } finally {
    clearTimeout(timer);
  }
  return req.estimate;
}
