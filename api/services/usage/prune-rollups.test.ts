import { QueryTypes } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../store/sql-literal.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import { pruneUsageRollups } from './prune-rollups.js';
import { TIER_MS, TIERS } from './rollup-tiers.js';

const openStore = tempStores();

describe('pruneUsageRollups', () => {
  it('deletes the blocks that end by the cutoff, of every tier, in batches, and the stale hours before it', async () => {
    const { sequelize } = await openStore();
    const cutoff = Date.UTC(2026, 5, 1, 7);
    const at = (ms: number) => sqlLiteral(sequelize)(new Date(ms));
    const rows: string[] = [];
    for (const tier of TIERS) {
      const size = TIER_MS[tier];
      const first = Math.floor(cutoff / size) * size - 12 * size;
      for (let i = 0; i < 14; i++) rows.push(`('${tier}', 'model', '', ${at(first + i * size)}, 'm', 1, 0, 0, 0, 0, NULL)`);
    }
    await sequelize.query(`INSERT INTO usage_rollups ("tier", "dim", "userDid", "periodStart", "key", "calls", "errors", "inputTokens", "outputTokens", "creditsNano", "durations") VALUES ${rows.join(', ')}`);
    await sequelize.query(`INSERT INTO usage_stale_hours ("periodStart") VALUES (${at(cutoff - 3_600_000)}), (${at(cutoff)})`);

    const deleted = await pruneUsageRollups(sequelize, new Date(cutoff), new AbortController().signal, 0, 3);
    const left = await sequelize.query<{ tier: string; periodStart: string }>('SELECT "tier", "periodStart" FROM usage_rollups', { type: QueryTypes.SELECT });
    expect(deleted + left.length).toBe(rows.length);
    for (const tier of TIERS) {
      const starts = left.filter((r) => r.tier === tier).map((r) => new Date(r.periodStart).getTime());
      // What is left ends after the cutoff; what ended by it is gone.
      expect(starts.every((s) => s + TIER_MS[tier] > cutoff), tier).toBe(true);
      expect(starts.length, tier).toBe(2);
    }
    const stale = await sequelize.query<{ periodStart: string }>('SELECT "periodStart" FROM usage_stale_hours', { type: QueryTypes.SELECT });
    expect(stale.map((s) => new Date(s.periodStart).getTime())).toEqual([cutoff]);
  });
});
