/**
 * The usage statistics against the reference query on a small generated store, on SQLite or
 * PostgreSQL: read from the buckets, then from the roll-ups, with late calls and interrupted ones;
 * and the back-fill of a store written before buckets had errors and durations.
 */
import { QueryTypes } from 'sequelize';
import { expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { bucketsOf, createUsageAggregator } from '../../services/recording/usage-aggregator.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { binsFromJson } from '../../services/usage/duration-histogram.js';
import { readRollupState, startUsageRollups } from '../../services/usage/usage-rollup-job.js';
import { reconcileInterruptedCalls } from '../../store/interrupted-calls.js';
import { createMigrator, migrateUp } from '../../store/migrate.js';
import { DAY, HOUR, expectStatsAsReference, random, randomCalls, rangesOver, recordCalls, recordCallsAsBefore, type Store } from './usage-scenario.js';

const logger = createLogger({ level: 'silent' });
const BEFORE_HISTOGRAMS = '20261126100000-create-credit-ledger';

/** Distinct hour starts in [from, to). */
function someHours(seed: number, count: number, from: number, to: number): number[] {
  const rnd = random(seed);
  const hours = new Set<number>();
  while (hours.size < count) hours.add(Math.floor((from + rnd() * (to - from)) / HOUR) * HOUR);
  return [...hours];
}

const countOf = async (store: Store, sql: string) => Number((await store.sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT }))[0]!.n);

export interface UsageStatsSuiteOptions {
  /** A store with every migration applied. */
  open(): Promise<Store>;
  /** A store migrated up to `to` only. */
  openAt(to: string): Promise<Store>;
}

export function usageStatsSuite(options: UsageStatsSuiteOptions): void {
  it('answers as the reference query from the buckets, from the roll-ups, after late calls and interrupted ones', async () => {
    const store = await options.open();
    const now = Date.now();
    // As if the job had last rolled up 40 days ago: calls in the 40 days before that land in hours
    // already rolled up (stale until redone), the later ones in hours the job has still to do.
    await store.sequelize.query('UPDATE usage_rollup_state SET "rolledUntil" = :at', { replacements: { at: new Date(Math.floor((now - 40 * DAY) / HOUR) * HOUR) } });
    const hours = someHours(1, 120, now - 80 * DAY, now - HOUR);
    const rows = randomCalls(1, 2500, hours);
    await recordCalls(store, rows);
    const times = rows.map((r) => r.createdAt!.getTime());
    const ranges = rangesOver(Math.min(...times), Math.max(...times));
    // The ragged ranges, for everyone and one user, while they differ most from what the roll-ups hold.
    const some = [ranges[0]!, ranges[2]!];
    expect(await expectStatsAsReference(store.sequelize, some, 'buckets', [undefined, 'user-a'])).toBeGreaterThan(100);

    const job = startUsageRollups({ sequelize: store.sequelize, logger, pauseMs: 0, firstRunMs: 3_600_000 });
    try {
      await job.catchUp();
      const state = await readRollupState(store.sequelize);
      expect(state!.rolledUntil).toBeGreaterThanOrEqual(Math.floor(now / HOUR) * HOUR - 2 * HOUR);
      expect(await countOf(store, 'SELECT COUNT(*) AS n FROM usage_stale_hours')).toBe(0);
      for (const tier of ['hour', 'day', 'day8', 'day64']) {
        expect(await countOf(store, `SELECT COUNT(*) AS n FROM usage_rollups WHERE "tier" = '${tier}'`), tier).toBeGreaterThan(0);
      }
      await expectStatsAsReference(store.sequelize, ranges, 'roll-ups');

      // Calls settling into hours already rolled up: read from their buckets until redone.
      const late = randomCalls(2, 300, hours.slice(0, 40), 'late');
      await recordCalls(store, late);
      expect(await countOf(store, 'SELECT COUNT(*) AS n FROM usage_stale_hours')).toBeGreaterThan(0);
      await expectStatsAsReference(store.sequelize, some, 'late calls, stale roll-ups', [undefined, 'user-b']);
      await job.catchUp();
      expect(await countOf(store, 'SELECT COUNT(*) AS n FROM usage_stale_hours')).toBe(0);
      await expectStatsAsReference(store.sequelize, ranges, 'late calls, redone', [undefined, 'user-b']);

      // Calls left processing by a stop, closed at the next start, count as failed calls.
      const usage = createUsageAggregator(store.sequelize, () => 0);
      const closed = await reconcileInterruptedCalls(store.models, logger, { alone: true, staleAfterMs: 0, onClosed: (r, t) => usage.write(r as ModelCallRow[], t, () => {}) });
      expect(closed).toBe([...rows, ...late].filter((r) => r.status === 'processing').length);
      await job.catchUp();
      await expectStatsAsReference(store.sequelize, some, 'interrupted calls closed');
    } finally {
      await job.stop();
    }
  }, 180_000);

  it('back-fills the errors and durations of the calls bucketed before the upgrade, after the start, in batches', async () => {
    const store = await options.openAt(BEFORE_HISTOGRAMS);
    const now = Date.now();
    const hours = someHours(3, 60, now - 40 * DAY, now - HOUR);
    const old = randomCalls(3, 1200, hours, 'old').map((r, i) => (i % 40 === 0 ? { ...r, status: 'failed' as const, errorCode: 'interrupted', duration: null } : r));
    // More calls in one millisecond than a batch holds.
    const instant = new Date(hours[0]! + 1234);
    const burst = randomCalls(4, 60, hours, 'burst').map((r) => ({ ...r, createdAt: instant, status: 'success' as const, duration: 700 }));
    const written = [...old, ...burst].map((r) => ({ ...r, updatedAt: r.createdAt! }));
    await recordCallsAsBefore(store, written);

    await migrateUp(store.sequelize);
    const state = await readRollupState(store.sequelize);
    expect(state!.backfillUntil).not.toBeNull();
    // The migration itself leaves the work to the job.
    expect(await countOf(store, `SELECT COUNT(*) AS n FROM usages WHERE "errors" > 0 OR "durations" IS NOT NULL`)).toBe(0);

    // Calls after the upgrade, one of them settling a call that was under way before it.
    const pending = old.find((r) => r.status === 'processing')!;
    const after = [...randomCalls(5, 300, hours.slice(0, 20), 'new'), { ...pending, status: 'success' as const, duration: 950, inputTokens: 7 }];
    await recordCalls(store, after);

    const job = startUsageRollups({ sequelize: store.sequelize, logger, now: () => now, pauseMs: 0, firstRunMs: 3_600_000, backfillBatch: 25 });
    try {
      await job.catchUp();
    } finally {
      await job.stop();
    }
    expect((await readRollupState(store.sequelize))!.backfillUntil).toBeNull();

    const final = [...written.filter((r) => r.id !== pending.id), ...after].filter((r) => r.status !== 'processing');
    const expected = new Map(bucketsOf(final, () => 0).map((b) => [b.id, b]));
    const buckets = await store.sequelize.query<Record<string, unknown>>('SELECT * FROM usages', { type: QueryTypes.SELECT });
    expect(buckets).toHaveLength(expected.size);
    for (const b of buckets) {
      const e = expected.get(b.id as string)!;
      expect({ calls: Number(b.calls), errors: Number(b.errors), inputTokens: Number(b.inputTokens), creditsNano: Number(b.creditsNano) }).toEqual({
        calls: e.calls,
        errors: e.errors,
        inputTokens: e.inputTokens,
        creditsNano: e.creditsNano,
      });
      expect(binsFromJson(b.durations as string | null)).toEqual(e.durations);
    }
    const times = final.map((r) => r.createdAt!.getTime());
    await expectStatsAsReference(store.sequelize, rangesOver(Math.min(...times), Math.max(...times)), 'back-filled');
  }, 180_000);
}
