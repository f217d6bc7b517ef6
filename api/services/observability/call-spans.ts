/**
 * Turns a settled call's marks into its spans, after the fact and with the call's own trace id:
 *
 *   <METHOD> <path>                 the request, arrival → settled
 *   ├─ auth                         arrival → call begun (authentication, body validation)
 *   ├─ routing                      model → providers and credentials, credit reservation
 *   ├─ provider call  (per attempt) one upstream attempt; the answering one lasts to the end of its answer
 *   └─ settle                       usage → credits
 *
 * The spans are described once (`callSpans`) and then written as AIGNE rows — the layout the
 * AIGNE observer's exporter stores and its viewer reads: `agentTag`, and `input`, `output`,
 * `metadata` as objects, with usage in the answering provider call's `output` (where the viewer
 * sums it) and in the root's `metadata` — and, when an OTLP collector is configured, as
 * OpenTelemetry spans with the same ids and flat `gen_ai.*` / `aigne_hub.*` attributes.
 * Attributes carry ids, models, providers, token counts and error classes; never keys or headers,
 * and message contents only when the operator opted in.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { nanoToCredits } from '../../lib/decimal.js';
import { redactSecrets } from '../../lib/redact.js';
import type { CallTiming } from './call-timing.js';
import { spanIdHex } from './random-hex.js';
import type { TraceRow } from './trace-row.js';

/** One span of a call; times are `performance.now()` milliseconds. */
export interface CallSpan {
  id: string;
  /** Absent on the root. */
  parentId?: string;
  name: string;
  start: number;
  end: number;
  /** Set when the span failed: a short, secret-free reason. */
  failure?: string;
  /** What the AIGNE viewer reads. */
  attributes: Record<string, unknown>;
  /** Flat OpenTelemetry attributes, for OTLP collectors only. */
  semconv?: Attributes;
}

export interface CallSpans {
  traceId: string;
  userDid?: string;
  /** The root first, then the children in the order they started. */
  spans: CallSpan[];
}

export interface SpanOptions {
  /** Also describe flat OpenTelemetry attributes (`gen_ai.*`, `aigne_hub.*`) for OTLP collectors. */
  semconv: boolean;
}

const OPERATION: Record<string, string> = { chatCompletion: 'chat', embedding: 'embeddings', imageGeneration: 'image_generation', audio: 'audio', video: 'video_generation' };
const MAX_CONTENT_CHARS = 16_000;

const epoch = (t: number) => performance.timeOrigin + t;

/** The root span's `input`: what was asked for, and the request's contents only when opted in. */
function inputOf(timing: CallTiming): Record<string, unknown> {
  const r = timing.record;
  const base = { model: r.model, type: r.type, stream: r.stream };
  if (timing.input === undefined) return base;
  const full = redactSecrets(JSON.stringify({ ...base, ...(timing.input as object) }));
  if (full.length <= MAX_CONTENT_CHARS) return JSON.parse(full) as Record<string, unknown>;
  return { ...base, truncated: redactSecrets(JSON.stringify(timing.input)).slice(0, MAX_CONTENT_CHARS) };
}

/**
 * A copy without the `undefined` members, as a JSON round trip would make. Copied rather than
 * deleted from: an object that loses a property through `delete` turns into a slow dictionary,
 * and writing it as JSON later costs more.
 */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function callSpans(timing: CallTiming, options: SpanOptions): CallSpans | undefined {
  const r = timing.record;
  if (!r.traceId) return undefined;
  const settledAt = timing.settledAt ?? performance.now();
  const settleStartedAt = timing.settleStartedAt ?? settledAt;
  const failed = r.status !== 'success';
  const usage = { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens };
  const credits = nanoToCredits(r.creditsNano);
  const error = r.errorCode ?? undefined;
  const rootId = spanIdHex();

  const root: CallSpan = {
    id: rootId,
    name: timing.name || 'model call',
    start: r.startedAt,
    end: settledAt,
    failure: failed ? (error ?? r.status) : undefined,
    attributes: {
      agentTag: 'AIGNEHub',
      input: inputOf(timing),
      output: defined({ model: r.model, status: r.status, credits, error }),
      metadata: defined({
        modelCallId: r.id,
        requestId: r.requestId,
        userDid: r.userDid ?? undefined,
        appId: r.appId ?? undefined,
        provider: r.providerName ?? undefined,
        attempts: r.attempts,
        usage,
      }),
    },
  };
  if (options.semconv) {
    root.semconv = {
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
    if (r.providerName) root.semconv['gen_ai.system'] = r.providerName;
    if (r.userDid) root.semconv['enduser.id'] = r.userDid;
    if (r.appId) root.semconv['aigne_hub.app_id'] = r.appId;
    if (error) root.semconv['error.type'] = error;
  }
  const spans: CallSpan[] = [root];
  const child = (span: Omit<CallSpan, 'id' | 'parentId'>) =>
    spans.push({
      id: spanIdHex(),
      parentId: rootId,
      name: span.name,
      start: span.start,
      end: Math.max(span.start, span.end),
      failure: span.failure,
      attributes: span.attributes,
      semconv: span.semconv,
    });

  child({ name: 'auth', start: r.startedAt, end: timing.begunAt, attributes: { agentTag: 'AIGNEHubAuth' } });
  child({
    name: 'routing',
    start: timing.begunAt,
    end: timing.routedAt ?? settleStartedAt,
    failure: timing.routedAt === undefined ? (error ?? 'routing_failed') : undefined,
    attributes: { agentTag: 'AIGNEHubRouting', metadata: { candidates: timing.candidates } },
    semconv: options.semconv ? { 'aigne_hub.candidates': timing.candidates } : undefined,
  });

  const answering = timing.answeringAttempt;
  timing.attempts.forEach((a, i) => {
    const isAnswer = a === answering;
    const ttfbMs = a.endedAt === undefined ? undefined : Math.round((a.endedAt - a.startedAt) * 10) / 10;
    const attributes: Record<string, unknown> = {
      agentTag: 'ChatModelAgent',
      metadata: defined({ provider: a.provider, providerId: a.providerId, credentialId: a.credentialId, model: a.upstreamModel, attempt: i + 1, ttfbMs, error: a.error }),
    };
    if (isAnswer) attributes.output = { model: a.upstreamModel, usage };
    let semconv: Attributes | undefined;
    if (options.semconv) {
      semconv = {
        'gen_ai.system': a.provider,
        'gen_ai.request.model': a.upstreamModel,
        'aigne_hub.provider_id': a.providerId,
        'aigne_hub.credential_id': a.credentialId,
        'aigne_hub.attempt': i + 1,
      };
      if (ttfbMs !== undefined) semconv['aigne_hub.ttfb_ms'] = ttfbMs;
      if (isAnswer) {
        semconv['gen_ai.usage.input_tokens'] = usage.inputTokens;
        semconv['gen_ai.usage.output_tokens'] = usage.outputTokens;
      }
      if (a.error) semconv['error.type'] = a.error;
    }
    child({
      name: 'provider call',
      start: a.startedAt,
      end: isAnswer ? settleStartedAt : (a.endedAt ?? settleStartedAt),
      failure: a.error ?? (isAnswer && failed ? (error ?? r.status) : undefined),
      attributes,
      semconv,
    });
  });

  child({
    name: 'settle',
    start: settleStartedAt,
    end: settledAt,
    attributes: { agentTag: 'AIGNEHubSettle', metadata: { status: r.status, credits } },
    semconv: options.semconv ? { 'aigne_hub.status': r.status, 'aigne_hub.credits': credits } : undefined,
  });
  return { traceId: r.traceId, userDid: r.userDid ?? undefined, spans };
}

const statusOf = (span: CallSpan) => (span.failure ? { code: SpanStatusCode.ERROR, message: span.failure } : { code: SpanStatusCode.OK });

/** The spans as AIGNE rows: whole milliseconds since the epoch, the user on every row. */
export function aigneRows(call: CallSpans): TraceRow[] {
  return call.spans.map((s) => ({
    id: s.id,
    rootId: call.traceId,
    parentId: s.parentId,
    name: s.name,
    startTime: Math.floor(epoch(s.start)),
    endTime: Math.floor(epoch(s.end)),
    status: statusOf(s),
    attributes: s.attributes,
    userId: call.userDid,
  }));
}

/** Span and trace ids chosen by the caller: a call's spans keep the ids of its AIGNE rows. */
export class PresetIdGenerator implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** The spans as OpenTelemetry spans (for an OTLP collector), with the same ids as the rows. */
export function emitOtelSpans(tracer: Tracer, ids: PresetIdGenerator, call: CallSpans): void {
  ids.traceId = call.traceId;
  const [root, ...children] = call.spans;
  const start = (s: CallSpan, kind: SpanKind, ctx = ROOT_CONTEXT) => {
    ids.spanId = s.id;
    const attributes: Attributes = { ...s.semconv };
    for (const [k, v] of Object.entries(s.attributes)) attributes[k] = typeof v === 'string' ? v : JSON.stringify(v);
    const span = tracer.startSpan(s.name, { kind, startTime: epoch(s.start), attributes }, ctx);
    span.setStatus(statusOf(s));
    return span;
  };
  const rootSpan = start(root!, SpanKind.SERVER);
  const ctx = trace.setSpan(ROOT_CONTEXT, rootSpan);
  for (const s of children) start(s, SpanKind.INTERNAL, ctx).end(epoch(s.end));
  rootSpan.end(epoch(root!.end));
}
