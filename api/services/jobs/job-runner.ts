/**
 * Scheduled jobs: croner fires each instance on the same UTC schedule, and a row per job in
 * `job_runs` decides which instance runs each scheduled time: the one whose claim of that time
 * succeeds (a later time than the last claimed, and no unexpired lock). On SQLite there is one
 * instance; the same claim simply always succeeds.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cron } from 'croner';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../../lib/logger.js';

export interface JobOptions {
  sequelize: Sequelize;
  logger: Logger;
  name: string;
  /** A croner pattern (5 fields, or 6 with seconds), read in UTC; none: only run on demand. */
  pattern?: string;
  run: (signal: AbortSignal) => Promise<void>;
  /** With an every-minute pattern: run only on minutes (since the epoch) that are a multiple of this. */
  minutesApart?: number;
  /** How long a claim holds before another instance may take over (a crashed runner). */
  leaseMs?: number;
}

export interface Job {
  /** Runs now unless another instance is running it; then waits for that run to end. */
  runNow(): Promise<'ran' | 'waited'>;
  nextRun(): Date | null;
  stop(): Promise<void>;
}

/** A cron pattern for "every N minutes", on the hour's or the day's boundaries where N divides them. */
export function cronForInterval(minutes: number): string {
  if (minutes < 60 && 60 % minutes === 0) return `*/${minutes} * * * *`;
  if (minutes % 60 === 0 && 24 % (minutes / 60) === 0) return minutes === 1440 ? '0 0 * * *' : `0 */${minutes / 60} * * *`;
  if (minutes % 1440 === 0) return '0 0 * * *';
  // Other intervals: every minute, with `minutesApart` skipping all but every N-th minute.
  return '* * * * *';
}

export function startJob(o: JobOptions): Job {
  const owner = randomUUID();
  const leaseMs = o.leaseMs ?? 30 * 60_000;
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  const rows = (sql: string, replacements: Record<string, unknown>) => o.sequelize.query<Record<string, unknown>>(sql, { replacements, type: QueryTypes.SELECT });
  const ready = o.sequelize.query(`INSERT INTO job_runs ("name") VALUES (:name) ON CONFLICT ("name") DO NOTHING`, { replacements: { name: o.name } });

  const claim = async (slot: Date): Promise<boolean> => {
    await ready;
    const now = new Date();
    const claimed = await rows(
      `UPDATE job_runs SET "slot" = :slot, "owner" = :owner, "lockedUntil" = :until, "lastStartedAt" = :now
       WHERE "name" = :name AND ("slot" IS NULL OR "slot" < :slot) AND ("lockedUntil" IS NULL OR "lockedUntil" < :now)
       RETURNING "name"`,
      { name: o.name, slot, owner, until: new Date(now.getTime() + leaseMs), now },
    );
    return claimed.length > 0;
  };

  const execute = async () => {
    let error: string | null = null;
    try {
      await o.run(stop.signal);
    } catch (err) {
      error = (err as Error).message.slice(0, 1000);
      o.logger.error('scheduled job failed', { job: o.name, err });
    } finally {
      await o.sequelize
        .query(`UPDATE job_runs SET "lockedUntil" = NULL, "lastFinishedAt" = :now, "lastError" = :error WHERE "name" = :name AND "owner" = :owner`, {
          replacements: { name: o.name, owner, now: new Date(), error },
        })
        .catch((err) => o.logger.warn('releasing a job failed', { job: o.name, err }));
    }
  };

  const runClaimed = async (slot: Date): Promise<boolean> => {
    if (stop.signal.aborted || !(await claim(slot))) return false;
    running = execute().finally(() => (running = undefined));
    await running;
    return true;
  };

  const cron = o.pattern
    ? new Cron(o.pattern, { timezone: 'UTC', unref: true, protect: true, catch: (err) => o.logger.error('scheduled job failed', { job: o.name, err }) }, async (self: Cron) => {
        // The scheduled time, not the (slightly later) time it fired: the same on every instance.
        const slot = self.currentRun() ?? new Date();
        if (o.minutesApart && Math.floor(slot.getTime() / 60_000) % o.minutesApart !== 0) return;
        const ran = await runClaimed(slot).catch((err) => {
          o.logger.warn('claiming a scheduled job failed', { job: o.name, err });
          return false;
        });
        if (ran) o.logger.info('scheduled job ran', { job: o.name, slot: slot.toISOString() });
      })
    : undefined;

  return {
    async runNow() {
      if (await runClaimed(new Date())) return 'ran';
      // Someone else is running it: wait (bounded by the lease) for that run to end.
      const deadline = Date.now() + leaseMs;
      while (Date.now() < deadline && !stop.signal.aborted) {
        const [row] = await rows(`SELECT "lockedUntil" FROM job_runs WHERE "name" = :name`, { name: o.name });
        if (!row?.lockedUntil || new Date(row.lockedUntil as string).getTime() < Date.now()) break;
        await sleep(200);
      }
      return 'waited';
    },
    nextRun: () => cron?.nextRun() ?? null,
    async stop() {
      cron?.stop();
      stop.abort();
      await running;
    },
  };
}
