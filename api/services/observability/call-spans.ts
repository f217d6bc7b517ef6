/**
 * Turns a settled call's marks into its spans, after the fact and with the call's own trace id:
 *
 *   <METHOD> <path>                 the request, arrival → settled
 *   ├─ auth                         arrival → call begun (authentication, body validation)
 *   ├─ routing                      model → providers and credentials, credit reservation
 *   ├─ provider call  (per attempt) one upstream attempt; the answering one lasts to the end of its answer
 *   └─ settle                       usage → credits
 *
 * Attributes are what the AIGNE viewer reads — `agentTag`, and `input`, `output`, `metadata` as
 * JSON strings, which the AIGNE exporter parses back into objects — plus, when spans also go to an
 * OTLP collector, flat `gen_ai.*` / `aigne_hub.*` attributes. Usage sits in the answering provider
 * call's `output` (where the viewer sums it) and in the root's `metadata`. Attributes carry ids,
 * models, providers, token counts and error classes; never keys or headers, and message contents
 * only when the operator opted in.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { nanoToCredits } from '../../lib/decimal.js';
import { redactSecrets } from '../../lib/redact.js';
import type { CallTiming } from './call-timing.js';
import { timeOrderedHex } from './random-hex.js';

/** Random ids, except that the next trace id can be chosen (the call's, given out at its start). */
export class PresetIdGenerator implements IdGenerator {
  next: string | undefined;
  generateTraceId(): string {
    const id = this.next ?? timeOrderedHex(16);
    this.next = undefined;
    return id;
  }
  generateSpanId(): string {
    return timeOrderedHex(8);
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

const json = (v: unknown) => JSON.stringify(v);

export interface SpanOptions {
  /** Also set flat OpenTelemetry attributes (`gen_ai.*`, `aigne_hub.*`) for OTLP collectors. */
  semconv: boolean;
}

export function emitCallSpans(tracer: Tracer, ids: PresetIdGenerator, timing: CallTiming, options: SpanOptions): void {
  const r = timing.record;
  if (!r.traceId) return;
  const settledAt = timing.settledAt ?? performance.now();
  const settleStartedAt = timing.settleStartedAt ?? settledAt;
  const failed = r.status !== 'success';
  const usage = { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens };
  const credits = nanoToCredits(r.creditsNano);
  const error = r.errorCode ?? undefined;

  const rootAttributes: Attributes = {
    agentTag: 'AIGNEHub',
    input: inputJson(timing),
    output: json({ model: r.model, status: r.status, credits, error }),
    metadata: json({ modelCallId: r.id, requestId: r.requestId, userDid: r.userDid, appId: r.appId, provider: r.providerName, attempts: r.attempts, usage }),
  };
  if (options.semconv) {
    Object.assign(rootAttributes, {
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
    });
    if (r.providerName) rootAttributes['gen_ai.system'] = r.providerName;
    if (r.userDid) rootAttributes['enduser.id'] = r.userDid;
    if (r.appId) rootAttributes['aigne_hub.app_id'] = r.appId;
    if (error) rootAttributes['error.type'] = error;
  }

  ids.next = r.traceId;
  const root = tracer.startSpan(timing.name || 'model call', { kind: SpanKind.SERVER, startTime: epoch(r.startedAt), attributes: rootAttributes }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);

  const child = (name: string, start: number, end: number, attributes: Attributes, failure?: string) => {
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: epoch(start), attributes }, ctx);
    span.setStatus(failure ? { code: SpanStatusCode.ERROR, message: failure } : { code: SpanStatusCode.OK });
    span.end(epoch(Math.max(start, end)));
  };

  child('auth', r.startedAt, timing.begunAt, { agentTag: 'AIGNEHubAuth' });
  const routingAttributes: Attributes = { agentTag: 'AIGNEHubRouting', metadata: json({ candidates: timing.candidates }) };
  if (options.semconv) routingAttributes['aigne_hub.candidates'] = timing.candidates;
  child('routing', timing.begunAt, timing.routedAt ?? settleStartedAt, routingAttributes, timing.routedAt === undefined ? (error ?? 'routing_failed') : undefined);

  const answering = timing.answeringAttempt;
  timing.attempts.forEach((a, i) => {
    const isAnswer = a === answering;
    const ttfbMs = a.endedAt === undefined ? undefined : Math.round((a.endedAt - a.startedAt) * 10) / 10;
    const attributes: Attributes = {
      agentTag: 'ChatModelAgent',
      metadata: json({ provider: a.provider, providerId: a.providerId, credentialId: a.credentialId, model: a.upstreamModel, attempt: i + 1, ttfbMs, error: a.error }),
    };
    if (isAnswer) attributes.output = json({ model: a.upstreamModel, usage });
    if (options.semconv) {
      Object.assign(attributes, {
        'gen_ai.system': a.provider,
        'gen_ai.request.model': a.upstreamModel,
        'aigne_hub.provider_id': a.providerId,
        'aigne_hub.credential_id': a.credentialId,
        'aigne_hub.attempt': i + 1,
      });
      if (ttfbMs !== undefined) attributes['aigne_hub.ttfb_ms'] = ttfbMs;
      if (isAnswer) {
        attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
        attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
      }
      if (a.error) attributes['error.type'] = a.error;
    }
    const failure = a.error ?? (isAnswer && failed ? (error ?? r.status) : undefined);
    child('provider call', a.startedAt, isAnswer ? settleStartedAt : (a.endedAt ?? settleStartedAt), attributes, failure);
  });

  const settleAttributes: Attributes = { agentTag: 'AIGNEHubSettle', metadata: json({ status: r.status, credits }) };
  if (options.semconv) Object.assign(settleAttributes, { 'aigne_hub.status': r.status, 'aigne_hub.credits': credits });
  child('settle', settleStartedAt, settledAt, settleAttributes);

  root.setStatus(failed ? { code: SpanStatusCode.ERROR, message: error ?? r.status } : { code: SpanStatusCode.OK });
  root.end(epoch(settledAt));
}
