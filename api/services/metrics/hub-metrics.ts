/**
 * The hub's Prometheus metrics, on a registry of its own (several hubs can share a process).
 * Model-call metrics are fed from settled calls and their marks; credential states are read from
 * the database when scraped. Label values are bounded: routes are patterns, models appear only on
 * usage an upstream reported, errors are codes.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import type { Models } from '../../store/models/index.js';
import type { CallRecord } from '../gateway/call-record.js';
import type { CallTiming } from '../observability/call-timing.js';
import { CellCounter, CellGauge, CellHistogram } from './cells.js';
import { routeLabel } from './route-label.js';
import { ERROR_TYPE_BY_STATUS } from '../../wire/errors.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const NANO = 1e9;

/** Route labels by request path (bounded: paths beyond the first thousand are labelled each time). */
function cachedRouteLabel(): (req: Request, status: number) => string {
  const cache = new Map<string, string>();
  return (req, status) => {
    const key = status === 404 && !req.route ? `404 ${req.originalUrl}` : req.originalUrl;
    let label = cache.get(key);
    if (label === undefined) {
      label = routeLabel(req, status);
      if (cache.size < 1000) cache.set(key, label);
    }
    return label;
  };
}

export interface HubMetrics {
  readonly registry: Registry;
  /** Express middleware counting every request by route and status. */
  http(): (req: Request, res: Response, next: NextFunction) => void;
  callStarted(timing: CallTiming): void;
  callSettled(record: CallRecord, timing: CallTiming | undefined): void;
  /** A limit refused a call before it was accepted (API.md §14), by the kind of limit. */
  limitRefused(kind: string): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface HubMetricsOptions {
  models: Models;
  /** Process metrics (CPU, memory, event loop lag); on by default. */
  processMetrics?: boolean;
}

export function createHubMetrics(options: HubMetricsOptions): HubMetrics {
  const { models } = options;
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new CellCounter({
    name: 'aigne_hub_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new CellHistogram({
    name: 'aigne_hub_http_request_duration_seconds',
    help: 'Time from request arrival to the end of the response, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new CellCounter({
    name: 'aigne_hub_errors_total',
    help: 'Error responses by API error type (API.md section 2)',
    labelNames: ['type'] as const,
    registers,
  });
  const calls = new CellCounter({
    name: 'aigne_hub_model_calls_total',
    help: 'Settled model calls by provider, call type and status (success, failed, aborted)',
    labelNames: ['provider', 'type', 'status'] as const,
    registers,
  });
  const callErrors = new CellCounter({
    name: 'aigne_hub_model_call_errors_total',
    help: 'Failed or aborted model calls by provider and error code (as in the ModelCall row)',
    labelNames: ['provider', 'code'] as const,
    registers,
  });
  const attempts = new CellCounter({
    name: 'aigne_hub_upstream_attempts_total',
    help: 'Upstream attempts by provider and outcome (success, http_<status>, timeout, connection, aborted, …)',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  });
  const ttfb = new CellHistogram({
    name: 'aigne_hub_upstream_ttfb_seconds',
    help: 'Time from sending a request upstream to its first data, per provider (answering attempts)',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const latency = new CellHistogram({
    name: 'aigne_hub_upstream_latency_seconds',
    help: 'Time from sending a request upstream to the end of its answer, per provider (answering attempts)',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const overhead = new CellHistogram({
    name: 'aigne_hub_gateway_overhead_seconds',
    help: "Streamed calls: time to the client's first byte not spent in upstream attempts (auth, routing, reservation, relay)",
    labelNames: ['type'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers,
  });
  const tokens = new CellCounter({
    name: 'aigne_hub_tokens_total',
    help: 'Tokens metered, by provider, upstream model, call type and kind (input, output, cache_read, cache_write)',
    labelNames: ['provider', 'model', 'type', 'kind'] as const,
    registers,
  });
  const credits = new CellCounter({
    name: 'aigne_hub_credits_total',
    help: 'Credits charged, by provider and upstream model',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const openStreams = new CellGauge({ name: 'aigne_hub_open_streams', help: 'Streamed model calls in progress', registers });
  const inflight = new CellGauge({ name: 'aigne_hub_inflight_calls', help: 'Model calls in progress (streamed or not)', registers });
  const routeOf = cachedRouteLabel();
  new Gauge({
    name: 'aigne_hub_credentials',
    help: 'Stored provider credentials by provider and state (active, cooldown, disabled)',
    labelNames: ['provider', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const [providers, creds] = await Promise.all([
        models.AiProvider.findAll({ attributes: ['id', 'name'], raw: true }),
        models.AiCredential.findAll({ attributes: ['providerId', 'status', 'cooldownUntil'], raw: true }),
      ]);
      const names = new Map(providers.map((p) => [p.id, p.name]));
      const counts = new Map<string, { active: number; cooldown: number; disabled: number }>();
      for (const p of providers) counts.set(p.name, { active: 0, cooldown: 0, disabled: 0 });
      const now = Date.now();
      for (const c of creds) {
        const name = names.get(c.providerId);
        if (!name) continue;
        const count = counts.get(name)!;
        if (c.status === 'disabled') count.disabled += 1;
        else if (c.cooldownUntil && new Date(c.cooldownUntil).getTime() > now) count.cooldown += 1;
        else count.active += 1;
      }
      for (const [provider, count] of counts) {
        for (const state of ['active', 'cooldown', 'disabled'] as const) this.set({ provider, state }, count[state]);
      }
    },
  });

  const limitRefusals = new CellCounter({
    name: 'aigne_hub_limit_refusals_total',
    help: 'Model calls refused by a key, app or user limit, by kind (rpm, tpm, concurrency, model, budget)',
    labelNames: ['kind'] as const,
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    limitRefused(kind) {
      limitRefusals.labels(kind).inc();
    },
    http() {
      return (req, res, next) => {
        res.once('finish', () => {
          const status = res.statusCode;
          const route = routeOf(req, status);
          httpRequests.labels(req.method, route, String(status)).inc();
          httpDuration.labels(req.method, route).observe((performance.now() - req.ctx.startedAt) / 1000);
          if (status >= 400) errors.labels(ERROR_TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error')).inc();
        });
        next();
      };
    },
    callStarted(timing) {
      inflight.inc();
      if (timing.record.stream) openStreams.inc();
    },
    callSettled(r, timing) {
      if (timing) {
        inflight.dec();
        if (r.stream) openStreams.dec();
      }
      const provider = r.providerName ?? 'none';
      calls.labels(provider, r.type, r.status).inc();
      if (r.status !== 'success') callErrors.labels(provider, r.errorCode ?? r.status).inc();
      const answering = timing?.answeringAttempt;
      for (const a of timing?.attempts ?? []) attempts.labels(a.provider, a.error ?? (a === answering ? 'success' : 'unfinished')).inc();
      if (answering && r.providerTtfb !== null) {
        ttfb.labels(provider).observe(r.providerTtfb / 1000);
        if (timing?.settleStartedAt !== undefined) latency.labels(provider).observe((timing.settleStartedAt - answering.startedAt) / 1000);
        if (r.stream && r.ttfb !== null && timing) {
          const upstream = timing.attempts.reduce((sum, a) => sum + ((a.endedAt ?? a.startedAt) - a.startedAt), 0);
          overhead.labels(r.type).observe(Math.max(0, r.ttfb - upstream) / 1000);
        }
      }
      const u = r.usage;
      if (u.inputTokens > 0 || u.outputTokens > 0 || (u.images ?? 0) > 0 || r.creditsNano > 0) {
        const model = answering?.upstreamModel ?? timing?.attempts.at(-1)?.upstreamModel ?? r.model;
        if (u.inputTokens) tokens.labels(provider, model, r.type, 'input').inc(u.inputTokens);
        if (u.outputTokens) tokens.labels(provider, model, r.type, 'output').inc(u.outputTokens);
        if (u.cacheReadTokens) tokens.labels(provider, model, r.type, 'cache_read').inc(u.cacheReadTokens);
        if (u.cacheWriteTokens) tokens.labels(provider, model, r.type, 'cache_write').inc(u.cacheWriteTokens);
        if (r.creditsNano > 0) credits.labels(provider, model).inc(r.creditsNano / NANO);
      }
    },
    render: () => registry.metrics(),
  };
}
