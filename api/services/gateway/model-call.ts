/**
 * One accepted model request from start to settlement: its CallRecord, client-abort signal,
 * candidates, failover, usage, credits and the ModelCall row — shared by every model route.
 */
import type { Request, Response } from 'express';
import { AppError, ClientAbortedError } from '../../errors.js';
import { clientDidOf } from '../../lib/client-did.js';
import { newId } from '../../lib/ids.js';
import { redactSecrets } from '../../lib/redact.js';
import type { PricedUsage } from '../billing/pricing.js';
import type { ModelCallType } from '../../store/models/model-call.js';
import type { Reservation } from '../billing/hooks.js';
import type { ImageFetcher } from '../formats/image-urls.js';
import { beginCallTiming, type CallTiming } from '../observability/call-timing.js';
import { newCallRecord, toModelCallRow, type CallRecord } from './call-record.js';
import { chargeNano } from './charge.js';
import { runWithFailover, type AttemptInput, type AttemptResult, type ClientLink } from './failover.js';
import type { GatewayCore } from './gateway.js';
import type { Candidate } from './routing.js';
import type { Admission } from '../limits/limits.js';

const MODEL_CALL_HEADER = 'x-aigne-hub-model-call-id';
export interface BeginOptions {
  model: string;
  type: ModelCallType;
  stream: boolean;
  /** Upper bound of output tokens the client allows (max_tokens), for the credit reservation. */
  maxOutputTokens?: number;
  /** Rough input size in tokens, for the credit reservation. */
  estimatedInputTokens?: number;
  /** Images asked for (image calls). */
  images?: number;
  /** Seconds of audio or video, and characters to speak, the reservation bounds (audio and video calls). */
  seconds?: number;
  characters?: number;
}

/** The most a call can cost among its candidates, in nano-credits (for reservations and budgets). */
export function maxCostOf(candidates: Candidate[], options: BeginOptions, defaultMaxOutputTokens: number): number {
  const rate = candidates.find((c) => c.rate)?.rate;
  const maxOut = options.maxOutputTokens ?? (Number(rate?.modelMetadata?.maxOutputTokens) || defaultMaxOutputTokens);
  const bound = { inputTokens: options.estimatedInputTokens ?? 0, outputTokens: options.type === 'chatCompletion' ? maxOut : 0, images: options.images, seconds: options.seconds, characters: options.characters };
  let max = 0;
  for (const c of candidates) max = Math.max(max, chargeNano(c.rate, bound));
  return max;
}

/** Model calls of this process begun and neither settled nor cut off (their responses closed). */
let callsOpen = 0;

export class ModelCall {
  readonly record: CallRecord;
  /** Marks for traces, metrics and Server-Timing (also gives the record its trace id). */
  readonly timing: CallTiming;
  candidates: Candidate[] = [];
  /** Set when the client goes away before the answer is complete; aborts the attempt under way. */
  private readonly client: ClientLink = { closed: false };
  private reservation: Reservation | null = null;
  private settled = false;
  private responseOpen = true;
  private selected?: Candidate;

  constructor(
    private readonly core: GatewayCore,
    req: Request,
    res: Response,
    options: BeginOptions,
    private readonly admission: Admission | null = null,
  ) {
    const caller = req.ctx.caller;
    this.record = newCallRecord({
      id: newId(),
      requestId: req.ctx.requestId,
      model: options.model,
      type: options.type,
      stream: options.stream,
      userDid: caller?.userDid ?? null,
      appId: caller?.appId ?? clientDidOf(req.headers['x-aigne-hub-client-did']),
      accessKeyId: caller?.via === 'access-key' || caller?.via === 'session' ? caller.keyId : null,
      startedAt: req.ctx.startedAt,
    });
    callsOpen += 1;
    this.timing = beginCallTiming(req, res, this.record, this.core.observers);
    req.ctx.modelCallId = this.record.id;
    res.setHeader(MODEL_CALL_HEADER, this.record.id);
    if (admission) for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
    const onClose = () => {
      this.close();
      if (res.writableFinished) return;
      this.client.closed = true;
      this.client.attempt?.abort(new ClientAbortedError());
    };
    // A client that left before its call began (while the body was read, or its key looked up)
    // has no 'close' left to emit: the call is then aborted before any attempt.
    if (res.closed) onClose();
    else res.on('close', onClose);
  }

  /**
   * Resolves candidates (unless the gateway has: `resolved`) and reserves credits. Throws
   * (404/503/402) with the failure recorded.
   */
  async start(options: BeginOptions, resolved?: Candidate[]): Promise<void> {
    try {
      this.candidates = resolved ?? (await this.core.routing.resolve(options.model, options.type));
      // Nothing to reserve with billing off.
      const maxCostNano = this.core.billing.enabled ? maxCostOf(this.candidates, options, this.core.defaultMaxOutputTokens) : 0;
      this.reservation = await this.core.billing.reserve({ record: this.record, candidates: this.candidates, maxCostNano });
      this.timing.routed(this.candidates.length);
      if (this.record.stream) this.core.recorder.enqueue(toModelCallRow(this.record));
    } catch (err) {
      await this.fail(err);
      throw err;
    }
  }

  run<T>(attempt: (input: AttemptInput) => Promise<T>): Promise<AttemptResult<T>> {
    const withImages = (input: AttemptInput) => {
      input.fetchImage = this.fetchImage;
      return attempt(input);
    };
    return runWithFailover(this.core.failoverDeps, this.candidates, this.record, this.client, this.timing.wrap(withImages)).then((r) => {
      this.selected = r.candidate;
      this.timing.answered();
      return r;
    });
  }

  /** Runs the attempts for the answer's start; a call that gets none is settled as failed (and the error rethrown). */
  async open<T>(attempt: (input: AttemptInput) => Promise<T>): Promise<T> {
    try {
      return (await this.run(attempt)).value;
    } catch (err) {
      await this.fail(err);
      throw err;
    }
  }

  private images?: ImageFetcher;
  /** Downloads image URLs for adapters that send bytes: once per call, whatever the attempts. */
  readonly fetchImage: ImageFetcher = (url) => (this.images ??= this.core.imageFetcher())(url);

  /** Call when the first byte goes to the client. */
  markFirstByte(): void {
    if (this.record.ttfb === null) this.record.ttfb = performance.now() - this.record.startedAt;
  }

  setUsage(usage: Partial<PricedUsage>, estimated = false): void {
    const u = this.record.usage;
    if (usage.inputTokens !== undefined) u.inputTokens = usage.inputTokens;
    if (usage.outputTokens !== undefined) u.outputTokens = usage.outputTokens;
    if (usage.cacheReadTokens !== undefined) u.cacheReadTokens = usage.cacheReadTokens;
    if (usage.cacheWriteTokens !== undefined) u.cacheWriteTokens = usage.cacheWriteTokens;
    if (usage.images !== undefined) u.images = usage.images;
    if (usage.seconds !== undefined) u.seconds = usage.seconds;
    if (usage.characters !== undefined) u.characters = usage.characters;
    this.record.usageEstimated = estimated;
  }

  get hasUsage(): boolean {
    const u = this.record.usage;
    return u.inputTokens > 0 || u.outputTokens > 0 || (u.images ?? 0) > 0 || (u.seconds ?? 0) > 0 || (u.characters ?? 0) > 0;
  }

  /** Settles a successful call; resolves once its row is durable. */
  succeed(): Promise<void> {
    return this.settle('success');
  }

  /** Settles a failed or aborted call (usage seen so far is still charged). */
  fail(err: unknown): Promise<void> {
    const aborted = err instanceof ClientAbortedError || this.client.closed;
    if (!aborted) {
      const app = err instanceof AppError ? err : null;
      this.record.errorReason = redactSecrets(app ? app.message : err instanceof Error ? err.message : String(err)).slice(0, 1000);
      this.record.errorCode = app ? (app.code ?? app.type) : 'server_error';
    } else {
      this.record.errorReason = 'The client closed the connection';
      this.record.errorCode = 'client_closed_request';
    }
    return this.settle(aborted ? 'aborted' : 'failed');
  }

  private close(): void {
    if (!this.responseOpen) return;
    this.responseOpen = false;
    callsOpen -= 1;
  }

  private async settle(status: 'success' | 'failed' | 'aborted'): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.close();
    this.timing.settling();
    const r = this.record;
    r.status = status;
    r.duration = performance.now() - r.startedAt;
    const rate = this.selected?.rate ?? this.candidates.find((c) => c.provider.id === r.providerId)?.rate;
    r.creditsNano = chargeNano(rate, r.usage);
    this.admission?.settle({ tokens: r.usage.inputTokens + r.usage.outputTokens, creditsNano: r.creditsNano });
    try {
      await this.core.billing.settle(r, this.reservation);
    } catch (err) {
      this.core.logger.error('settling credits failed', { err, modelCallId: r.id });
    }
    this.core.onSettled(r, this.timing.observed ? this.timing : undefined);
    // With other calls open, the caller answers at the end of this turn of the event loop, with the
    // other calls settled in it: settled in a row, then answered in a row, their rows journaled in
    // one write (docs/performance.md). A lone call answers at once.
    await this.core.recorder.commit(toModelCallRow(r), callsOpen > 0);
  }
}
