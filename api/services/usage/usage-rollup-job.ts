/**
 * The usage roll-up job, in every hub process: first the back-fill left by the upgrade (if any),
 * then each hour once it is over (and a grace period for calls settling late) rolled up, with the
 * day, 8-day and 64-day blocks it completes; hours marked stale are redone with the blocks above
 * them. One step per write transaction, with a pause between steps so that the calls' own writes
 * keep their turn; the state row is locked for the step on PostgreSQL, so instances sharing a
 * database take turns and never do a step twice. Until the job has caught up, the statistics read
 * what it has not rolled up from the buckets.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Logger } from '../../lib/logger.js';
import { isPostgres } from '../../store/sequelize.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { rollBlock } from './rollup-build.js';
import { HOUR_MS, TIER_MS, TIERS } from './rollup-tiers.js';
import { backfillBatch } from './usage-backfill.js';

export interface RollupState {
  rolledUntil: number;
  backfillFrom: number | null;
  backfillUntil: number | null;
}

type StateRow = { rolledUntil: string | Date; backfillFrom: string | Date | null; backfillUntil: string | Date | null };

const at = (v: string | Date | null) => (v === null ? null : new Date(v).getTime());

export async function readRollupState(sequelize: Sequelize, t?: Transaction): Promise<RollupState | null> {
  const lock = t && isPostgres(sequelize) ? ' FOR UPDATE' : '';
  const [row] = await sequelize.query<StateRow>(`SELECT "rolledUntil", "backfillFrom", "backfillUntil" FROM usage_rollup_state WHERE "id" = 'usage'${lock}`, {
    type: QueryTypes.SELECT,
    transaction: t,
  });
  return row ? { rolledUntil: at(row.rolledUntil)!, backfillFrom: at(row.backfillFrom), backfillUntil: at(row.backfillUntil) } : null;
}

async function saveState(sequelize: Sequelize, s: RollupState, t: Transaction): Promise<void> {
  const date = (v: number | null) => (v === null ? null : new Date(v));
  await sequelize.query(
    `UPDATE usage_rollup_state SET "rolledUntil" = :rolledUntil, "backfillFrom" = :backfillFrom, "backfillUntil" = :backfillUntil, "updatedAt" = :now WHERE "id" = 'usage'`,
    { replacements: { rolledUntil: date(s.rolledUntil), backfillFrom: date(s.backfillFrom), backfillUntil: date(s.backfillUntil), now: new Date() }, transaction: t },
  );
}

/** Rolls up the hour, then each block above it that is over by `rolledUntil`. */
async function rollHour(sequelize: Sequelize, hour: number, rolledUntil: number, t: Transaction): Promise<number> {
  await sequelize.query('DELETE FROM usage_stale_hours WHERE "periodStart" = :hour', { replacements: { hour: new Date(hour) }, transaction: t });
  let rows = 0;
  for (const tier of TIERS) {
    const size = TIER_MS[tier];
    const start = Math.floor(hour / size) * size;
    if (start + size > rolledUntil) break;
    rows += await rollBlock(sequelize, tier, start, t);
  }
  return rows;
}

export interface StepOptions {
  now: number;
  /** How long after its end an hour is rolled up. */
  graceMs: number;
  backfillBatch: number;
}

export type StepResult = { did: 'backfill' | 'stale' | 'hour'; rows: number; state: RollupState } | null;

/** One step of the job in one write transaction; null when there is nothing to do. */
export async function rollupStep(sequelize: Sequelize, options: StepOptions): Promise<StepResult> {
  return writeTransaction(sequelize, async (t) => {
    const state = await readRollupState(sequelize, t);
    if (!state) return null;
    if (state.backfillUntil !== null) {
      const { next, rows } = await backfillBatch(sequelize, state.backfillFrom ?? 0, state.backfillUntil, options.backfillBatch, t);
      const done = next >= state.backfillUntil;
      const after = { ...state, backfillFrom: done ? null : next, backfillUntil: done ? null : state.backfillUntil };
      await saveState(sequelize, after, t);
      return { did: 'backfill', rows, state: after };
    }
    const [stale] = await sequelize.query<{ periodStart: string | Date }>(
      'SELECT "periodStart" FROM usage_stale_hours WHERE "periodStart" < :until ORDER BY "periodStart" LIMIT 1',
      { replacements: { until: new Date(state.rolledUntil) }, type: QueryTypes.SELECT, transaction: t },
    );
    if (stale) return { did: 'stale', rows: await rollHour(sequelize, at(stale.periodStart)!, state.rolledUntil, t), state };
    // Hours with no calls (nights, idle days) are rolled up many to a transaction.
    const after = { ...state };
    let rows = 0;
    for (let hours = 0; hours < 24 && rows === 0 && after.rolledUntil + HOUR_MS + options.graceMs <= options.now; hours++) {
      after.rolledUntil += HOUR_MS;
      rows += await rollHour(sequelize, after.rolledUntil - HOUR_MS, after.rolledUntil, t);
    }
    if (after.rolledUntil === state.rolledUntil) return null;
    await saveState(sequelize, after, t);
    return { did: 'hour', rows, state: after };
  });
}

export interface UsageRollupOptions {
  sequelize: Sequelize;
  logger: Logger;
  now?: () => number;
  graceMs?: number;
  /** Pause between two steps that found work. */
  pauseMs?: number;
  /** How often to look for work once caught up. */
  everyMs?: number;
  firstRunMs?: number;
  backfillBatch?: number;
}

export interface UsageRollupJob {
  /** Runs steps until there is nothing left to do (or joins the run under way, then does so). */
  catchUp(): Promise<void>;
  stop(): Promise<void>;
}

export function startUsageRollups(options: UsageRollupOptions): UsageRollupJob {
  const { sequelize, logger } = options;
  const now = options.now ?? Date.now;
  const step: Omit<StepOptions, 'now'> = { graceMs: options.graceMs ?? 5 * 60_000, backfillBatch: options.backfillBatch ?? 1000 };
  const pauseMs = options.pauseMs ?? 20;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let backfilled = 0;
  let backfillStarted = 0;

  const runSteps = async () => {
    let rolled = 0;
    while (!stopped) {
      const result = await rollupStep(sequelize, { ...step, now: now() });
      if (!result) break;
      if (result.did === 'backfill') {
        if (!backfillStarted) backfillStarted = Date.now();
        backfilled += result.rows;
        if (result.state.backfillUntil === null) logger.info('usage back-fill done', { calls: backfilled, ms: Date.now() - backfillStarted });
      } else if (result.did === 'hour') rolled += 1;
      if (result.rows) await sleep(pauseMs);
    }
    if (rolled > 24) logger.info('usage roll-ups caught up', { hours: rolled });
  };
  const run = () => {
    running ??= runSteps()
      .catch((err) => logger.error('usage roll-up failed', { err }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const arm = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(() => arm(options.everyMs ?? 60_000)), ms);
    timer.unref();
  };
  arm(options.firstRunMs ?? 1000);

  return {
    async catchUp() {
      while (running) await running;
      await run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
