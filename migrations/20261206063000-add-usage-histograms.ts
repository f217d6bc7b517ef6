/**
 * Usage statistics from buckets: failed calls and a duration histogram on each hourly bucket, the
 * roll-ups the statistics read (per hour, day, 8 and 64 days), the hours whose roll-ups must be
 * redone, and the roll-up job's state. On a store that already holds buckets, the errors and
 * histograms of its calls are back-filled after the start, in batches, by the roll-up job (this
 * migration only records from which hour, and up to which moment).
 */
import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const HOUR_MS = 3_600_000;

export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.addColumn('usages', 'errors', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addColumn('usages', 'durations', { type: DataTypes.TEXT, allowNull: true });

  await qi.createTable('usage_rollups', {
    tier: { type: DataTypes.STRING(8), primaryKey: true },
    dim: { type: DataTypes.STRING(16), primaryKey: true },
    userDid: { type: DataTypes.STRING(128), primaryKey: true },
    periodStart: { type: DataTypes.DATE, primaryKey: true },
    key: { type: DataTypes.STRING(600), primaryKey: true },
    calls: { type: DataTypes.BIGINT, allowNull: false },
    errors: { type: DataTypes.BIGINT, allowNull: false },
    inputTokens: { type: DataTypes.BIGINT, allowNull: false },
    outputTokens: { type: DataTypes.BIGINT, allowNull: false },
    creditsNano: { type: DataTypes.BIGINT, allowNull: false },
    durations: { type: DataTypes.BLOB, allowNull: true },
  });
  // A block's rows are replaced, built from the tier below and pruned by their start.
  await qi.addIndex('usage_rollups', ['tier', 'periodStart'], { name: 'usage_rollups_tier_period' });

  await qi.createTable('usage_stale_hours', {
    periodStart: { type: DataTypes.DATE, primaryKey: true },
  });

  await qi.createTable('usage_rollup_state', {
    id: { type: DataTypes.STRING(16), primaryKey: true },
    rolledUntil: { type: DataTypes.DATE, allowNull: false },
    backfillFrom: { type: DataTypes.DATE, allowNull: true },
    backfillUntil: { type: DataTypes.DATE, allowNull: true },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });

  const now = new Date();
  const [first] = await qi.sequelize.query<{ at: string | Date | null }>('SELECT MIN("periodStart") AS "at" FROM usages', { type: QueryTypes.SELECT });
  const oldest = first?.at ? new Date(first.at) : null;
  // Rows written until now were bucketed without errors or durations: those come from the call rows.
  await qi.bulkInsert('usage_rollup_state', [
    {
      id: 'usage',
      rolledUntil: oldest ?? new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS),
      backfillFrom: oldest,
      backfillUntil: oldest ? now : null,
      updatedAt: now,
    },
  ]);
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of ['usage_rollup_state', 'usage_stale_hours', 'usage_rollups']) await qi.dropTable(table);
  // Plain DROP COLUMN on both databases (SQLite ≥ 3.35): Sequelize's SQLite removeColumn rebuilds the table.
  await qi.sequelize.query('ALTER TABLE usages DROP COLUMN "durations"');
  await qi.sequelize.query('ALTER TABLE usages DROP COLUMN "errors"');
}
