/**
 * Hours whose buckets changed after the hour was over (a call settled late, a journaled row written
 * again at start, an interrupted call closed): their roll-ups may be out of date until the roll-up
 * job redoes them, and the statistics read those hours from the buckets meanwhile.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { sqlLiteral } from '../../store/sql-literal.js';
import { HOUR_MS } from './rollup-tiers.js';

/** Marks the hours among `hours` (their starts) that are already over; one statement, if any. */
export async function markStaleHours(sequelize: Sequelize, hours: Date[], transaction?: Transaction, now = Date.now()): Promise<void> {
  const over = new Set<number>();
  for (const h of hours) if (h.getTime() + HOUR_MS <= now) over.add(h.getTime());
  if (!over.size) return;
  const literal = sqlLiteral(sequelize);
  const values = [...over].sort((a, b) => a - b).map((t) => `(${literal(new Date(t))})`);
  await sequelize.query(`INSERT INTO usage_stale_hours ("periodStart") VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`, {
    type: QueryTypes.INSERT,
    transaction,
  });
}

export async function staleHours(sequelize: Sequelize, before: Date, transaction?: Transaction): Promise<number[]> {
  const rows = await sequelize.query<{ periodStart: string | Date }>('SELECT "periodStart" FROM usage_stale_hours WHERE "periodStart" < :before ORDER BY "periodStart"', {
    replacements: { before },
    type: QueryTypes.SELECT,
    transaction,
  });
  return rows.map((r) => new Date(r.periodStart).getTime());
}
