/**
 * What limits count, on the store the hub runs on (one instance on SQLite: memory; several on one
 * PostgreSQL database: tables they share): requests and tokens per minute (rate-limiter-flexible),
 * calls open now (holds), and credits spent per UTC day (budgets).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { newId } from '../../lib/ids.js';
import { isPostgres } from '../../store/sequelize.js';
import { createLimiter } from '../../store/rate-limiter.js';
import { writeTransaction } from '../../store/write-transaction.js';

/** A window's count after taking `points`, or the refusal: how long until the window resets. */
export interface WindowCount {
  ok: boolean;
  used: number;
  resetMs: number;
  /** The window the points were taken in (to give back unused ones while it lasts). */
  window: number;
}

const WINDOW_MS = 60_000;

/**
 * Counters per subject over fixed one-minute windows of the hub's clock (so that tests can move
 * it, and instances on one database agree on the window). The library keeps the counts, in memory
 * or in its PostgreSQL table; each window is a key of its own, kept two minutes. The limiter allows
 * far more than any limit: each subject's own limit is compared here, so one limiter serves all.
 */
export class MinuteCounter {
  private readonly limiter;

  constructor(sequelize: Sequelize, name: string) {
    this.limiter = createLimiter(sequelize, { name, points: 2 ** 31 - 1, windowSeconds: (2 * WINDOW_MS) / 1000 });
  }

  /** Takes `points` unless that passes `limit` (then nothing is taken). */
  async take(subject: string, points: number, limit: number, now: Date): Promise<WindowCount> {
    const window = Math.floor(now.getTime() / WINDOW_MS);
    const resetMs = (window + 1) * WINDOW_MS - now.getTime();
    // More than the limit alone is refused without counting (a huge `max_tokens` never reaches the store).
    if (points > limit) return { ok: false, used: (await this.used(subject, now)).used, resetMs, window };
    const res = await this.limiter.consume(`${subject}@${window}`, points);
    if (res.consumedPoints <= limit) return { ok: true, used: res.consumedPoints, resetMs, window };
    if (points > 0) await this.limiter.reward(`${subject}@${window}`, points);
    return { ok: false, used: res.consumedPoints - points, resetMs, window };
  }

  /**
   * Settles points taken in `window`: unused ones go back while that window lasts (a window gone
   * is gone), points used beyond those taken count in the window of now.
   */
  async adjust(subject: string, window: number, points: number, now: Date): Promise<void> {
    const current = Math.floor(now.getTime() / WINDOW_MS);
    if (points > 0 && window === current) await this.limiter.reward(`${subject}@${window}`, points);
    else if (points < 0) await this.limiter.penalty(`${subject}@${current}`, -points);
  }

  async used(subject: string, now: Date): Promise<{ used: number; resetMs: number }> {
    const window = Math.floor(now.getTime() / WINDOW_MS);
    const res = await this.limiter.get(`${subject}@${window}`);
    return { used: Math.max(0, res?.consumedPoints ?? 0), resetMs: (window + 1) * WINDOW_MS - now.getTime() };
  }
}

/** Calls open now per subject. */
export interface HoldStore {
  /** A hold, or null when the subject already has `max` open. */
  acquire(subject: string, max: number): Promise<string | null>;
  release(subject: string, hold: string): Promise<void>;
  open(subject: string): Promise<number>;
}

export function memoryHolds(): HoldStore {
  const open = new Map<string, number>();
  return {
    async acquire(subject, max) {
      const n = open.get(subject) ?? 0;
      if (n >= max) return null;
      open.set(subject, n + 1);
      return subject;
    },
    async release(subject) {
      const n = (open.get(subject) ?? 1) - 1;
      if (n > 0) open.set(subject, n);
      else open.delete(subject);
    },
    async open(subject) {
      return open.get(subject) ?? 0;
    },
  };
}

/** Holds as rows, counted under the subject's advisory lock so that instances take turns; a crash's holds lapse at `ttlMs`. */
export function postgresHolds(sequelize: Sequelize, ttlMs: number): HoldStore {
  const count = async (subject: string, transaction?: unknown) => {
    const rows = await sequelize.query<{ n: string }>('SELECT count(*) AS n FROM limit_holds WHERE subject = :subject AND "expiresAt" > now()', {
      replacements: { subject },
      type: QueryTypes.SELECT,
      transaction: transaction as never,
    });
    return Number(rows[0]?.n ?? 0);
  };
  return {
    acquire: (subject, max) =>
      writeTransaction(sequelize, async (transaction) => {
        await sequelize.query('SELECT pg_advisory_xact_lock(hashtext(:subject))', { replacements: { subject }, transaction });
        await sequelize.query('DELETE FROM limit_holds WHERE subject = :subject AND "expiresAt" <= now()', { replacements: { subject }, transaction });
        if ((await count(subject, transaction)) >= max) return null;
        const id = newId();
        await sequelize.query('INSERT INTO limit_holds (id, subject, "expiresAt") VALUES (:id, :subject, :expiresAt)', {
          replacements: { id, subject, expiresAt: new Date(Date.now() + ttlMs) },
          transaction,
        });
        return id;
      }),
    async release(_subject, hold) {
      await sequelize.query('DELETE FROM limit_holds WHERE id = :hold', { replacements: { hold } });
    },
    open: (subject) => count(subject),
  };
}

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** The first UTC day of the period `now` is in (weeks start on Monday). */
export function periodStart(period: BudgetPeriod, now: Date): string {
  if (period === 'total') return '0000-00-00';
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), period === 'month' ? 1 : now.getUTCDate()));
  if (period === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return dayOf(d);
}

/** UTC midnight after the period `now` is in (null for `total`). */
export function periodEnd(period: BudgetPeriod, now: Date): Date | null {
  if (period === 'total') return null;
  const start = new Date(`${periodStart(period, now)}T00:00:00Z`);
  if (period === 'day') start.setUTCDate(start.getUTCDate() + 1);
  else if (period === 'week') start.setUTCDate(start.getUTCDate() + 7);
  else start.setUTCMonth(start.getUTCMonth() + 1);
  return start;
}

/**
 * Credits spent per subject and UTC day. Spending is added in memory and written every second (and
 * at close); a subject's spend in a period is read from the table at most every `ttlMs`, with this
 * instance's unwritten spending added, so other instances' spending shows within that time.
 */
export class SpendLedger {
  private readonly pending = new Map<string, number>();
  /** Most that calls admitted on this instance and not yet settled may cost, by subject. */
  private readonly open = new Map<string, number>();
  private readonly cache = new Map<string, { nano: number; at: number }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly ttlMs = 2_000,
  ) {
    this.timer = setInterval(() => void this.flush(), 1_000);
    this.timer.unref();
  }

  async spent(subject: string, period: BudgetPeriod, now: Date): Promise<number> {
    const from = periodStart(period, now);
    const key = `${subject}|${from}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.nano;
    await this.flushing;
    const rows = await this.sequelize.query<{ nano: string | number | null }>('SELECT SUM("creditsNano") AS nano FROM limit_spend WHERE subject = :subject AND day >= :from', {
      replacements: { subject, from },
      type: QueryTypes.SELECT,
    });
    let nano = Number(rows[0]?.nano ?? 0);
    for (const [k, v] of this.pending) if (k.startsWith(`${subject}|`) && k.slice(subject.length + 1) >= from) nano += v;
    this.cache.set(key, { nano, at: Date.now() });
    return nano;
  }

  add(subject: string, nano: number, now: Date): void {
    if (nano <= 0) return;
    const day = dayOf(now);
    const key = `${subject}|${day}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + nano);
    for (const [k, v] of this.cache) if (k.startsWith(`${subject}|`) && k.slice(subject.length + 1) <= day) v.nano += nano;
  }

  reserved(subject: string): number {
    return this.open.get(subject) ?? 0;
  }

  reserve(subject: string, nano: number): void {
    this.open.set(subject, this.reserved(subject) + nano);
  }

  release(subject: string, nano: number): void {
    const left = this.reserved(subject) - nano;
    if (left > 0) this.open.set(subject, left);
    else this.open.delete(subject);
  }

  flush(): Promise<void> {
    if (!this.pending.size) return this.flushing;
    const batch = [...this.pending];
    this.pending.clear();
    const upsert = isPostgres(this.sequelize)
      ? 'INSERT INTO limit_spend (subject, day, "creditsNano") VALUES (:subject, :day, :nano) ON CONFLICT (subject, day) DO UPDATE SET "creditsNano" = limit_spend."creditsNano" + EXCLUDED."creditsNano"'
      : 'INSERT INTO limit_spend (subject, day, "creditsNano") VALUES (:subject, :day, :nano) ON CONFLICT (subject, day) DO UPDATE SET "creditsNano" = "creditsNano" + excluded."creditsNano"';
    this.flushing = this.flushing.then(() =>
      writeTransaction(this.sequelize, async (transaction) => {
        for (const [key, nano] of batch) {
          const [subject, day] = [key.slice(0, key.lastIndexOf('|')), key.slice(key.lastIndexOf('|') + 1)];
          await this.sequelize.query(upsert, { replacements: { subject, day, nano }, transaction });
        }
      }).catch(() => {
        // Kept for the next flush rather than lost.
        for (const [key, nano] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + nano);
      }),
    );
    return this.flushing;
  }

  /** Forgets what was read, so the next check reads the table. */
  forget(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
