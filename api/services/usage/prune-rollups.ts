/**
 * Usage retention for the roll-ups: blocks that end before the cutoff go with the buckets they were
 * made from, a few blocks per statement with a pause between, like the other tables' retention.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTypes, type Sequelize } from 'sequelize';
import { writeTransaction } from '../../store/write-transaction.js';
import { TIER_MS, TIERS } from './rollup-tiers.js';

export async function pruneUsageRollups(sequelize: Sequelize, before: Date, signal: AbortSignal, pauseMs = 200, blocksPerBatch = 8): Promise<number> {
  let deleted = 0;
  for (const tier of TIERS) {
    const bound = new Date(before.getTime() - TIER_MS[tier]);
    while (!signal.aborted) {
      const starts = await sequelize.query<{ periodStart: string | Date }>(
        `SELECT DISTINCT "periodStart" FROM usage_rollups WHERE "tier" = :tier AND "periodStart" <= :bound ORDER BY "periodStart" LIMIT ${blocksPerBatch}`,
        { replacements: { tier, bound }, type: QueryTypes.SELECT },
      );
      if (!starts.length) break;
      // The starts as the database gave them, so that they match whatever text SQLite stored.
      const periods = starts.map((s) => s.periodStart);
      const gone = Number(
        await writeTransaction(sequelize, (transaction) =>
          sequelize.query(`DELETE FROM usage_rollups WHERE "tier" = :tier AND "periodStart" IN (:periods)`, { replacements: { tier, periods }, type: QueryTypes.BULKDELETE, transaction }),
        ),
      );
      deleted += gone;
      if (!gone) break;
      if (starts.length < blocksPerBatch) break;
      await sleep(pauseMs, undefined, { signal }).catch(() => {});
    }
  }
  await writeTransaction(sequelize, (transaction) => sequelize.query('DELETE FROM usage_stale_hours WHERE "periodStart" < :before', { replacements: { before }, transaction }));
  return deleted;
}
