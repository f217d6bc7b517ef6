/**
 * Model health: one minimal call per enabled model that has a rate (image models only when asked
 * for), on a schedule (one runner per database) and on demand. Results are kept 24 hours; the
 * latest per model decides its `status.available` in the model list, and a model that starts
 * failing is told (model.unhealthy).
 */
import { Op, type Sequelize } from 'sequelize';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { HealthAnswer, ModelHealthView } from '../../wire/health.js';
import type { Gateway } from '../gateway/gateway.js';
import { cronForInterval, startJob, type Job } from '../jobs/job-runner.js';
import type { HubEvents } from '../notifications/hub-events.js';

const DAY_MS = 86_400_000;

export interface ModelHealthOptions {
  sequelize: Sequelize;
  models: Pick<Models, 'ModelHealthCheck' | 'AiProvider'>;
  gateway: Pick<Gateway, 'probe' | 'routing'>;
  logger: Logger;
  events: Pick<HubEvents, 'modelChecked'>;
  intervalMin: number;
  cron?: string;
  images: boolean;
  /** Checks run at once. */
  concurrency?: number;
  /** How long the latest results are served from memory (other instances' runs show after it). */
  cacheMs?: number;
}

export interface LatestCheck {
  ok: boolean;
  checkedAt: Date;
  latencyMs: number | null;
  error: string | null;
  checks: number;
  failures: number;
}

export interface ModelHealth {
  /** Runs the checks now (or waits for the run another instance has under way). */
  checkNow(): Promise<HealthAnswer>;
  /** The admin view: every checked model with its latest result and its last 24 hours. */
  view(): Promise<HealthAnswer>;
  /** Latest result by `providerId:type:model`, within the last 24 hours. */
  latest(): Promise<Map<string, LatestCheck>>;
  close(): Promise<void>;
}

export const healthKey = (providerId: string, type: string, model: string) => `${providerId}:${type}:${model}`;

export function createModelHealth(o: ModelHealthOptions): ModelHealth {
  let cache: { at: number; map: Promise<Map<string, LatestCheck>> } | undefined;

  const load = async (): Promise<Map<string, LatestCheck>> => {
    const rows = await o.models.ModelHealthCheck.findAll({ where: { checkedAt: { [Op.gt]: new Date(Date.now() - DAY_MS) } }, order: [['checkedAt', 'ASC']] });
    const map = new Map<string, LatestCheck>();
    for (const r of rows) {
      const key = healthKey(r.providerId, r.type, r.model);
      const prev = map.get(key);
      map.set(key, { ok: r.ok, checkedAt: r.checkedAt, latencyMs: r.latencyMs, error: r.error, checks: (prev?.checks ?? 0) + 1, failures: (prev?.failures ?? 0) + (r.ok ? 0 : 1) });
    }
    return map;
  };
  const latest = () => {
    if (!cache || Date.now() - cache.at > (o.cacheMs ?? 5_000)) cache = { at: Date.now(), map: load().catch((err) => ((cache = undefined), Promise.reject(err))) };
    return cache.map;
  };

  const runChecks = async (signal: AbortSignal) => {
    const snap = await o.gateway.routing.current();
    const targets = snap.providers
      .filter((p) => p.enabled && !p.fromEnv)
      .flatMap((p) => [...p.rates.values()].filter((r) => o.images || r.type !== 'imageGeneration').map((r) => ({ provider: p, rate: r })));
    const runId = newId();
    let next = 0;
    const worker = async () => {
      while (next < targets.length && !signal.aborted) {
        const { provider, rate } = targets[next++]!;
        const result = await o.gateway.probe({ provider: provider.name, model: rate.model, type: rate.type });
        await o.models.ModelHealthCheck.create({
          id: newId(),
          runId,
          providerId: provider.id,
          model: rate.model,
          type: rate.type,
          ok: result.ok,
          latencyMs: result.latencyMs,
          error: result.error,
          credentialId: result.credentialId,
          checkedAt: new Date(),
        });
        await o.events.modelChecked({ providerId: provider.id, provider: provider.name, model: rate.model, type: rate.type }, result.ok, result.error);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, targets.length) }, worker));
    await o.models.ModelHealthCheck.destroy({ where: { checkedAt: { [Op.lt]: new Date(Date.now() - DAY_MS) } } });
    cache = undefined;
    o.logger.info('model health checks done', { runId, models: targets.length });
  };

  const pattern = o.cron ?? (o.intervalMin > 0 ? cronForInterval(o.intervalMin) : undefined);
  const minutesApart = !o.cron && pattern === '* * * * *' && o.intervalMin > 1 ? o.intervalMin : undefined;
  const job: Job = startJob({ sequelize: o.sequelize, logger: o.logger, name: 'model-health', pattern, minutesApart, run: runChecks });

  const view = async (): Promise<HealthAnswer> => {
    const [map, providers] = await Promise.all([latest(), o.models.AiProvider.findAll({ order: [['rank', 'ASC']] })]);
    const names = new Map(providers.map((p) => [p.id, p]));
    const models: ModelHealthView[] = [];
    for (const [key, c] of map) {
      const [providerId, type, ...rest] = key.split(':');
      const p = names.get(providerId!);
      if (!p) continue;
      models.push({
        providerId: p.id,
        provider: p.name,
        providerDisplayName: p.displayName,
        model: rest.join(':'),
        type: type as ModelHealthView['type'],
        lastCheckedAt: c.checkedAt.toISOString(),
        ok: c.ok,
        latencyMs: c.latencyMs,
        error: c.error,
        checks24h: c.checks,
        failures24h: c.failures,
      });
    }
    models.sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
    return { intervalMin: o.cron ? null : o.intervalMin, cron: pattern ?? null, nextRunAt: job.nextRun()?.toISOString() ?? null, models };
  };

  return {
    async checkNow() {
      await job.runNow();
      cache = undefined;
      return view();
    },
    view,
    latest,
    close: () => job.stop(),
  };
}
