/**
 * The gateway core: routing table, failover, credential health (persisted off the request path),
 * the call recorder and the billing seam. Routes start calls with `begin()`.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../lib/logger.js';
import type { RateType } from '../../store/models/ai-model-rate.js';
import type { Models } from '../../store/models/index.js';
import type { BillingHooks } from '../billing/hooks.js';
import type { CallRecorder } from '../recording/call-recorder.js';
import type { CallObservers, CallTiming } from '../observability/call-timing.js';
import type { CallRecord } from './call-record.js';
import type { CredentialChange } from './credential-pool.js';
import { Deadlines } from './deadlines.js';
import { assertFetchableImageUrls, createImageFetcher, type ImageFetcher } from '../formats/image-urls.js';
import type { FailoverDeps } from './failover.js';
import { maxCostOf, ModelCall, type BeginOptions } from './model-call.js';
import { probeModel, type ProbeResult, type ProbeTarget } from './probe.js';
import type { Admission, LimitService } from '../limits/limits.js';
import type { Candidate, RoutingTable } from './routing.js';

export interface GatewayCore {
  routing: RoutingTable;
  recorder: CallRecorder;
  billing: BillingHooks;
  logger: Logger;
  failoverDeps: FailoverDeps;
  defaultMaxOutputTokens: number;
  /** A fetcher of images a call's adapters must send as bytes (one per call). */
  imageFetcher(): ImageFetcher;
  /** 400 when a request names an image URL no one should fetch. */
  checkImageUrls(urls: string[]): Promise<void>;
  /** What to observe on each call (trace ids, Server-Timing); none when the hub observes nothing. */
  observers?: CallObservers;
  /** `timing` is the call's marks when the app observes its calls. */
  onSettled(record: CallRecord, timing?: CallTiming): void;
}

export interface Gateway extends GatewayCore {
  begin(req: Request, res: Response, options: BeginOptions): Promise<ModelCall>;
  /**
   * The caller's limits for a request to a model that is no model call (a token count): refused as a
   * call would be (model patterns, rpm), counted as one request, nothing held. Answers the rate headers.
   */
  admitRequest(req: Request, model: string): Promise<Record<string, string>>;
  /** One minimal call to a model through the attempt path, for health checks (recorded by the caller, billed to no one). */
  probe(target: ProbeTarget): Promise<ProbeResult>;
  /** Listeners told of every settled call (metrics, traces). */
  onCallSettled(listener: (record: CallRecord, timing: CallTiming | undefined) => void): void;
  close(): Promise<void>;
}

export interface GatewayDeps {
  models: Models;
  routing: RoutingTable;
  recorder: CallRecorder;
  billing: BillingHooks;
  logger: Logger;
  upstreamTimeoutMs: number;
  /** Re-validates a disabled credential; resolves true when it works again. */
  recheckCredential?: (providerId: string, credentialId: string) => Promise<boolean>;
  recheckAfterMs?: number;
  /** Told when the provider refused a credential and it was disabled (notifications). */
  onCredentialDisabled?: (credentialId: string, providerId: string, reason: string) => void;
  statsFlushMs?: number;
  observers?: CallObservers;
  /** Limits per key, app and user, checked before a call is accepted. */
  limits?: LimitService;
  /** Limits of the image downloads the hub makes for callers. */
  imageFetch?: { allowHosts: readonly string[]; maxBytes: number; timeoutMs: number };
}

/** A candidate's `provider/model` name, as model patterns name it. */
const nameOf = (c: Candidate) => `${c.provider.name}/${c.upstreamModel}`;

export function createGateway(deps: GatewayDeps): Gateway {
  const { models, routing, recorder, logger } = deps;
  /**
   * The caller's limits for a request to `model`: the candidates are resolved (and what the request
   * may take is bounded) only when some limit applies. A model no provider serves is admitted: the
   * call itself answers (and records) it.
   */
  const admit = async (req: Request, model: string, type: RateType, bounds: (found: Candidate[]) => { tokens: number; maxCostNano: number }) => {
    const caller = req.ctx.caller;
    let candidates: Candidate[] | undefined;
    if (!caller || !deps.limits) return { admission: null, candidates };
    const admission: Admission | null = await deps.limits.admit(caller, async () => {
      candidates = await routing.resolve(model, type).catch(() => undefined);
      return candidates ? { model, candidates: candidates.map(nameOf), ...bounds(candidates) } : null;
    });
    return { admission, candidates };
  };
  const listeners: ((record: CallRecord, timing: CallTiming | undefined) => void)[] = [];
  const rechecks = new Map<string, NodeJS.Timeout>();
  const imageFetch = deps.imageFetch ?? { allowHosts: [], maxBytes: 20 * 1024 * 1024, timeoutMs: 10_000 };
  const usage = new Map<string, { count: number; last: Date }>();

  const persist = (change: CredentialChange) => {
    if (change.id.startsWith('env:')) return;
    void models.AiCredential.update(
      {
        status: change.disabled ? 'disabled' : 'active',
        disabledReason: change.disabled ? change.disabledReason : null,
        cooldownUntil: change.cooldownUntil ? new Date(change.cooldownUntil) : null,
        failureCount: change.failureCount,
        ...(change.kind === 'success' ? {} : { lastErrorAt: new Date() }),
      },
      { where: { id: change.id } },
    ).catch((err) => logger.warn('saving credential state failed', { err, credentialId: change.id }));
  };

  const scheduleRecheck = (change: CredentialChange, candidate: Candidate) => {
    if (!deps.recheckCredential || change.id.startsWith('env:') || rechecks.has(change.id)) return;
    const timer = setTimeout(async () => {
      rechecks.delete(change.id);
      try {
        const ok = await deps.recheckCredential!(candidate.provider.id, change.id);
        logger.info('credential re-check', { credentialId: change.id, ok });
        if (!ok) scheduleRecheck(change, candidate);
      } catch (err) {
        logger.warn('credential re-check failed', { err, credentialId: change.id });
      }
    }, deps.recheckAfterMs ?? 10 * 60_000);
    timer.unref();
    rechecks.set(change.id, timer);
  };

  const failoverDeps: FailoverDeps = {
    deadlines: new Deadlines(deps.upstreamTimeoutMs),
    onCredentialChange(change, candidate) {
      if (change.kind !== 'failure' || change.failureCount > 0) persist(change);
      if (change.kind === 'disabled') {
        logger.warn('credential disabled', { credentialId: change.id, provider: candidate.provider.name, reason: change.disabledReason });
        scheduleRecheck(change, candidate);
        if (!change.id.startsWith('env:')) deps.onCredentialDisabled?.(change.id, candidate.provider.id, change.disabledReason ?? 'refused by the provider');
      }
      if (change.kind === 'cooldown') {
        logger.warn('credential cooling down', { credentialId: change.id, provider: candidate.provider.name, until: new Date(change.cooldownUntil).toISOString() });
      }
    },
  };

  const flushUsage = async () => {
    const batch = [...usage.entries()];
    usage.clear();
    for (const [id, u] of batch) {
      await models.AiCredential.increment({ usageCount: u.count }, { where: { id } }).catch(() => {});
      await models.AiCredential.update({ lastUsedAt: u.last }, { where: { id } }).catch(() => {});
    }
  };
  const statsTimer = setInterval(() => void flushUsage(), deps.statsFlushMs ?? 5_000);
  statsTimer.unref();

  const core: Gateway = {
    routing,
    recorder,
    billing: deps.billing,
    logger,
    failoverDeps,
    defaultMaxOutputTokens: 4096,
    observers: deps.observers,
    imageFetcher: () => createImageFetcher(imageFetch),
    checkImageUrls: (urls) => (urls.length ? assertFetchableImageUrls(urls, imageFetch.allowHosts) : Promise.resolve()),
    onSettled(record, timing) {
      if (record.credentialId && !record.credentialId.startsWith('env:') && record.status === 'success') {
        const u = usage.get(record.credentialId) ?? { count: 0, last: new Date() };
        u.count += 1;
        u.last = new Date();
        usage.set(record.credentialId, u);
      }
      for (const l of listeners) {
        try {
          l(record, timing);
        } catch (err) {
          logger.warn('call listener failed', { err });
        }
      }
    },
    async begin(req, res, options) {
      const { admission, candidates } = await admit(req, options.model, options.type, (found) => ({
        tokens: (options.estimatedInputTokens ?? 0) + (options.maxOutputTokens ?? 0),
        maxCostNano: maxCostOf(found, options, core.defaultMaxOutputTokens),
      }));
      const call = new ModelCall(core, req, res, options, admission);
      await call.start(options, admission && candidates ? candidates.filter((c) => admission.allows(nameOf(c))) : candidates);
      return call;
    },
    async admitRequest(req, model) {
      const { admission } = await admit(req, model, 'chatCompletion', () => ({ tokens: 0, maxCostNano: 0 }));
      admission?.settle({ tokens: 0, creditsNano: 0 });
      return admission?.headers ?? {};
    },
    probe: (target) => probeModel(core, target),
    onCallSettled(listener) {
      listeners.push(listener);
    },
    async close() {
      clearInterval(statsTimer);
      for (const t of rechecks.values()) clearTimeout(t);
      await recorder.flush();
      await flushUsage();
    },
  };
  return core;
}
