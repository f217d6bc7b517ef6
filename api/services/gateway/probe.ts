/**
 * One minimal call to one model of one provider, for the health checks: it goes through the same
 * routing, credential rotation, failover and credential health as a caller's call (a credential the
 * provider refuses is disabled, one that keeps failing is cooled down), but it belongs to no one: no
 * ModelCall row, no credits, no usage — its result is the health check's own record.
 */
import { AppError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { redactSecrets } from '../../lib/redact.js';
import type { RateType } from '../../store/models/ai-model-rate.js';
import { newCallRecord } from './call-record.js';
import { runWithFailover, type AttemptInput } from './failover.js';
import type { GatewayCore } from './gateway.js';
import { openChat } from './open-chat.js';

/** The `appId` a health check's attempts carry in logs and traces. */
export const HEALTH_CHECK_CALLER = 'system:health-check';

export interface ProbeTarget {
  /** The provider's registry name (`openai`): the model is pinned to it. */
  provider: string;
  model: string;
  type: RateType;
}

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error: string | null;
  /** The credential of the last attempt. */
  credentialId: string | null;
}

async function attempt(input: AttemptInput, type: RateType): Promise<void> {
  const { provider, upstreamModel } = input.candidate;
  const adapter = provider.module.adapter;
  if (type === 'chatCompletion') {
    await openChat(input, { stream: false, chatRequest: (model) => ({ model, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 }) });
  } else if (type === 'embedding') {
    if (!adapter.embed) throw new AppError(400, 'invalid_request_error', `${provider.displayName} does not offer embeddings`);
    await adapter.embed({ model: upstreamModel, input: ['ping'] }, input.target, { signal: input.signal });
  } else {
    if (!adapter.image) throw new AppError(400, 'invalid_request_error', `${provider.displayName} does not generate images`);
    await adapter.image({ model: upstreamModel, prompt: 'a small dot', n: 1 }, input.target, { signal: input.signal });
  }
}

export async function probeModel(core: GatewayCore, target: ProbeTarget): Promise<ProbeResult> {
  const id = newId();
  const record = newCallRecord({
    id,
    requestId: `health-${id}`,
    model: `${target.provider}/${target.model}`,
    type: target.type,
    stream: false,
    userDid: null,
    accessKeyId: null,
    appId: HEALTH_CHECK_CALLER,
    startedAt: performance.now(),
  });
  const started = performance.now();
  try {
    const candidates = await core.routing.resolve(record.model, target.type);
    const result = await runWithFailover(core.failoverDeps, candidates, record, { closed: false }, (input) => attempt(input, target.type));
    return { ok: true, latencyMs: Math.round(performance.now() - started), error: null, credentialId: result.credentialId };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: redactSecrets(message).slice(0, 1000), credentialId: record.credentialId };
  }
}
