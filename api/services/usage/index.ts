/**
 * The usage statistics' upkeep in a running hub: the roll-up job (with the back-fill an upgrade
 * left), and the buckets of calls closed as interrupted at start.
 */
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../lib/logger.js';
import type { ClosedCalls } from '../../store/interrupted-calls.js';
import { createUsageAggregator } from '../recording/usage-aggregator.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { startUsageRollups, type UsageRollupJob } from './usage-rollup-job.js';

export interface UsageUpkeep {
  rollups: UsageRollupJob;
  /** Buckets the calls closed as interrupted, in their transaction; nothing of them is reported to a meter. */
  closedCalls: ClosedCalls;
  stop(): Promise<void>;
}

export function startUsage(deps: { sequelize: Sequelize; logger: Logger }): UsageUpkeep {
  const rollups = startUsageRollups(deps);
  const buckets = createUsageAggregator(deps.sequelize, () => 0);
  return {
    rollups,
    closedCalls: (rows, t) => buckets.write(rows as ModelCallRow[], t, () => {}),
    stop: () => rollups.stop(),
  };
}
