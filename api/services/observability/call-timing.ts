/**
 * Marks taken during one model call (begun, routed, each upstream attempt, answered, settling) as
 * plain numbers, so traces and metrics can be built after the call without touching its path.
 * Also writes the `Server-Timing` header, before the response's headers go out.
 */
import type { Request, Response } from 'express';
import { toProviderError } from '../../providers/shared/provider-error.js';
import type { CallRecord } from '../gateway/call-record.js';
import type { AttemptInput } from '../gateway/failover.js';
import { ClientAbortedError } from '../../errors.js';
import { traceIdHex } from './random-hex.js';
import { pathOf } from '../../lib/url-path.js';

/** What the hub wants observed on its model calls (given to the gateway). */
export interface CallObservers {
  traceIds: boolean;
  /** The share of calls that get a trace id (and so a trace), 1 for every call. */
  traceSampleRatio?: number;
  serverTiming: boolean;
  captureInput: boolean;
  onStart?(timing: CallTiming): void;
}

export interface AttemptTiming {
  provider: string;
  providerId: string;
  credentialId: string;
  upstreamModel: string;
  startedAt: number;
  /** When the attempt produced its first data, or failed. */
  endedAt?: number;
  /** A short, secret-free classification: `http_502`, `timeout`, `connection`, `aborted` … */
  error?: string;
}

/** A W3C/OpenTelemetry trace id: 32 lowercase hex digits, not all zero. */
function newTraceId(): string {
  const id = traceIdHex();
  return /^0+$/.test(id) ? newTraceId() : id;
}

function classifyAttemptError(err: unknown, signal?: { readonly aborted: boolean; readonly reason?: unknown }): string {
  if (signal?.aborted) return signal.reason instanceof ClientAbortedError ? 'aborted' : 'timeout';
  const e = toProviderError(err);
  return e.kind === 'http' && e.status ? `http_${e.status}` : e.kind;
}

export class CallTiming {
  readonly begunAt = performance.now();
  routedAt?: number;
  candidates = 0;
  answeredAt?: number;
  settleStartedAt?: number;
  settledAt?: number;
  readonly attempts: AttemptTiming[] = [];
  /** The request's message contents; only kept when an operator opted in. */
  readonly input?: unknown;
  /** `POST /api/v1/chat/completions` — names the call's root span. */
  readonly name: string = '';

  constructor(
    readonly record: CallRecord,
    private readonly observers: CallObservers | undefined,
    private readonly res: Response | undefined,
    req: Request | undefined,
  ) {
    if (!observers || !req) return;
    this.name = `${req.method} ${pathOf(req.originalUrl ?? req.url)}`;
    if (observers.captureInput) this.input = contentOf(req.body);
  }

  /** Whether the app observes its calls (metrics, traces): only then are the marks handed on. */
  get observed(): boolean {
    return this.observers !== undefined;
  }

  routed(candidates: number): void {
    this.routedAt = performance.now();
    this.candidates = candidates;
  }

  /** Wraps one upstream attempt to time it; the wrapper adds nothing else. */
  wrap<T>(attempt: (input: AttemptInput) => Promise<T>): (input: AttemptInput) => Promise<T> {
    if (!this.observers) return attempt;
    return (input) => {
      const a: AttemptTiming = {
        provider: input.candidate.provider.name,
        providerId: input.candidate.provider.id,
        credentialId: input.credentialId,
        upstreamModel: input.candidate.upstreamModel,
        startedAt: performance.now(),
      };
      this.attempts.push(a);
      return attempt(input).then(
        (value) => {
          a.endedAt = performance.now();
          return value;
        },
        (err: unknown) => {
          a.endedAt = performance.now();
          a.error = classifyAttemptError(err, input.abort);
          throw err;
        },
      );
    };
  }

  answered(): void {
    this.answeredAt = performance.now();
    this.writeServerTiming();
  }

  settling(): void {
    this.settleStartedAt = performance.now();
    this.writeServerTiming();
  }

  /** Whether the response is done (finished or cut off), or there is none. */
  responseDone(): boolean {
    const res = this.res;
    return !res || res.writableFinished || res.destroyed;
  }

  /** Runs `fn` on a later tick once the response is done (finished or cut off). */
  afterResponse(fn: () => void): void {
    if (this.responseDone()) setImmediate(fn);
    else this.res!.once('close', () => setImmediate(fn));
  }

  /** The attempt whose answer the client got. */
  get answeringAttempt(): AttemptTiming | undefined {
    const last = this.attempts.at(-1);
    return last && !last.error && this.answeredAt !== undefined ? last : undefined;
  }

  serverTiming(): string {
    const parts = [`auth;dur=${ms(this.begunAt - this.record.startedAt)}`];
    if (this.routedAt !== undefined) parts.push(`route;dur=${ms(this.routedAt - this.begunAt)}`);
    if (this.record.providerTtfb !== null) {
      const provider = this.answeringAttempt?.provider;
      parts.push(`upstream;dur=${ms(this.record.providerTtfb)}${provider ? `;desc="${provider}"` : ''}`);
    }
    return parts.join(', ');
  }

  private writeServerTiming(): void {
    const res = this.res;
    if (!this.observers?.serverTiming || !res || res.headersSent) return;
    res.setHeader('Server-Timing', this.serverTiming());
  }
}

const ms = (v: number) => Math.max(0, Math.round(v * 10) / 10);

/** The content-bearing fields of a model request body (chat messages, embedding input, image prompt). */
function contentOf(body: unknown): unknown {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const input = b.input as Record<string, unknown> | undefined;
  if (b.messages !== undefined) return { messages: b.messages };
  if (input && typeof input === 'object' && !Array.isArray(input) && input.messages !== undefined) return { messages: input.messages };
  if (b.input !== undefined) return { input: b.input };
  if (b.prompt !== undefined) return { prompt: b.prompt };
  return undefined;
}

/**
 * Starts the marks of a call and gives it a trace id when tracing is on. Called by ModelCall's
 * constructor; cheap (no I/O, no span objects). The marks travel with the call (`ModelCall.timing`,
 * then the settled-call listeners), not in a WeakMap keyed by its record: a long-lived WeakMap kept
 * its values — each call's marks, and through them its request and response — alive through
 * young-generation collections, so all of it was promoted to the old generation.
 */
export function beginCallTiming(req: Request, res: Response, record: CallRecord, observers: CallObservers | undefined): CallTiming {
  const timing = new CallTiming(record, observers, res, req);
  if (observers) {
    const ratio = observers.traceSampleRatio ?? 1;
    if (observers.traceIds && (ratio >= 1 || Math.random() < ratio)) record.traceId = newTraceId();
    observers.onStart?.(timing);
  }
  return timing;
}
