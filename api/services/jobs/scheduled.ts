/** The hub's scheduled work: model health checks, and a daily check of rates against the price table. */
import type { Sequelize } from 'sequelize';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { Gateway } from '../gateway/gateway.js';
import { createModelHealth, type ModelHealth } from '../health/model-health.js';
import type { HubEvents } from '../notifications/hub-events.js';
import { runRateCheck } from '../pricing/rate-check.js';
import { startJob } from './job-runner.js';

export interface ScheduledWork {
  health: ModelHealth;
  /** Checks every rate against the price table now (and tells of rates below cost). */
  checkRates(): Promise<void>;
  close(): Promise<void>;
}

/** 03:17 UTC, away from the hour's boundary where other jobs gather. */
const RATE_CHECK_PATTERN = '17 3 * * *';

export function startScheduledWork(deps: { config: Config; logger: Logger; sequelize: Sequelize; models: Models; gateway: Gateway; events: HubEvents }): ScheduledWork {
  const { config } = deps;
  const health = createModelHealth({
    sequelize: deps.sequelize,
    models: deps.models,
    gateway: deps.gateway,
    logger: deps.logger,
    events: deps.events,
    intervalMin: config.modelHealth.intervalMin,
    cron: config.modelHealth.cron,
    images: config.modelHealth.images,
  });
  const checkRates = async () => {
    const { answer, checked } = await runRateCheck(deps.models, { creditsPerUsd: config.pricing.creditsPerUsd, driftPercent: config.pricing.driftPercent });
    deps.events.rateChecked(answer, checked);
  };
  const rates = startJob({ sequelize: deps.sequelize, logger: deps.logger, name: 'rate-check', pattern: RATE_CHECK_PATTERN, run: checkRates });
  return {
    health,
    checkRates,
    async close() {
      await Promise.all([health.close(), rates.stop()]);
    },
  };
}
