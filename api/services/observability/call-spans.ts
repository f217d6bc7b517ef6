/**
 * Turns a settled call's marks into its spans, after the fact and with the call's own trace id:
 *
 *   <METHOD> <path>                 the request, arrival → settled
 *   ├─ auth                         arrival → call begun (authentication, body validation)
 *   ├─ routing                      model → providers and credentials, credit reservation
 *   ├─ provider call  (per attempt) one upstream attempt; the answering one lasts to the end of its answer
 *   └─ settle                       usage → credits
 *
 * Usage sits in the answering provider call's `output` (where the AIGNE viewer sums it) and in
 * `gen_ai.usage.*` on the root and that span.
 *
 * Attributes carry ids, models, providers, token counts and error classes; never keys or headers,
 * and message contents only when the operator opted in. Object-valued attributes are JSON strings,
 * which the AIGNE exporter parses back into the `input`/`output`/`metadata` its viewer shows.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { nanoToCredits } from '../../lib/decimal.js';
import { redactSecrets } from '../../lib/redact.js';
import type { CallTiming } from './call-timing.js';

/** Random ids, except that the next trace id can be chosen (the call's, given out at its start). */
export class PresetIdGenerator implements IdGenerator {
  next: string | undefined;
  generateTraceId(): string {
    const id = this.next ?? randomBytes(16).toString('hex');
    this.next = undefined;
    return id;
  }
  generateSpanId(): string {
    return randomBytes(8).toString('hex');
  }
}

const OPERATION: Record<string, string> = { chatCompletion: 'chat', embedding: 'embeddings', imageGeneration: 'image_generation' };
const MAX_CONTENT_CHARS = 16_000;

const epoch = (t: number) => performance.timeOrigin + t;

/** The root span's `input`: what was asked for, and the request's contents only when opted in. */
function inputJson(timing: CallTiming): string {
  const r = timing.record;
  const base = { model: r.model, type: r.type, stream: r.stream };
  if (timing.input === undefined) return JSON.stringify(base);
  const full = redactSecrets(JSON.stringify({ ...base, ...(timing.input as object) }));
  if (full.length <= MAX_CONTENT_CHARS) return full;
  return JSON.stringify({ ...base, truncated: redactSecrets(JSON.stringify(timing.input)).slice(0, MAX_CONTENT_CHARS) });
}

export function emitCallSpans(tracer: Tracer, ids: PresetIdGenerator, timing: CallTiming): void {
  const r = timing.record;
  if (!r.traceId) return;
  const settledAt = timing.settledAt ?? performance.now();
  const settleStartedAt = timing.settleStartedAt ?? settledAt;
  const failed = r.status !== 'success';
  const usage = { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens };
  const credits = nanoToCredits(r.creditsNano);

  const rootAttributes: Attributes = {
    agentTag: 'AIGNEHub',
    input: inputJson(timing),
    output: JSON.stringify({ model: r.model, status: r.status, credits, ...(r.errorCode ? { error: r.errorCode } : {}) }),
    metadata: JSON.stringify({ modelCallId: r.id, requestId: r.requestId, appId: r.appId, attempts: r.attempts }),
    'gen_ai.operation.name': OPERATION[r.type] ?? r.type,
    'gen_ai.request.model': r.model,
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
    'aigne_hub.model_call_id': r.id,
    'aigne_hub.request_id': r.requestId,
    'aigne_hub.status': r.status,
    'aigne_hub.attempts': r.attempts,
    'aigne_hub.credits': credits,
    'aigne_hub.stream': r.stream,
  };
  if (r.providerName) rootAttributes['gen_ai.system'] = r.providerName;
  if (r.userDid) rootAttributes['enduser.id'] = r.userDid;
  if (r.appId) rootAttributes['aigne_hub.app_id'] = r.appId;
  if (r.errorCode) rootAttributes['error.type'] = r.errorCode;

  ids.next = r.traceId;
  const root = tracer.startSpan(timing.name || 'model call', { kind: SpanKind.SERVER, startTime: epoch(r.startedAt), attributes: rootAttributes }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);

  const child = (name: string, start: number, end: number, attributes: Attributes, error?: string) => {
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: epoch(start), attributes }, ctx);
    span.setStatus(error ? { code: SpanStatusCode.ERROR, message: error } : { code: SpanStatusCode.OK });
    span.end(epoch(Math.max(start, end)));
  };

  child('auth', r.startedAt, timing.begunAt, { agentTag: 'AIGNEHubAuth' });
  child(
    'routing',
    timing.begunAt,
    timing.routedAt ?? settleStartedAt,
    { agentTag: 'AIGNEHubRouting', 'aigne_hub.candidates': timing.candidates },
    timing.routedAt === undefined ? (r.errorCode ?? 'routing_failed') : undefined,
  );
  const answering = timing.answeringAttempt;
  timing.attempts.forEach((a, i) => {
    const isAnswer = a === answering;
    const attributes: Attributes = {
      agentTag: 'ChatModelAgent',
      'gen_ai.system': a.provider,
      'gen_ai.request.model': a.upstreamModel,
      'aigne_hub.provider_id': a.providerId,
      'aigne_hub.credential_id': a.credentialId,
      'aigne_hub.attempt': i + 1,
    };
    if (a.endedAt !== undefined) attributes['aigne_hub.ttfb_ms'] = Math.round((a.endedAt - a.startedAt) * 10) / 10;
    if (isAnswer) {
      attributes.output = JSON.stringify({ model: a.upstreamModel, usage });
      attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
      attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
    }
    if (a.error) attributes['error.type'] = a.error;
    const error = a.error ?? (isAnswer && failed ? (r.errorCode ?? r.status) : undefined);
    child('provider call', a.startedAt, isAnswer ? settleStartedAt : (a.endedAt ?? settleStartedAt), attributes, error);
  });
  child('settle', settleStartedAt, settledAt, { agentTag: 'AIGNEHubSettle', 'aigne_hub.status': r.status, 'aigne_hub.credits': credits });

  root.setStatus(failed ? { code: SpanStatusCode.ERROR, message: r.errorCode ?? r.status } : { code: SpanStatusCode.OK });
  root.end(epoch(settledAt));
}
