/**
 * The usage buckets as the recorder's flush writes them, on a real SQLite file and on PostgreSQL
 * (the histogram merge is SQL of each dialect): increments across flushes, the duration histograms
 * merged bin by bin, hours already over marked stale, flushes of more buckets than one statement
 * takes, and (PostgreSQL) bucket rows locked in one order by every writer.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { describePostgres } from '../../tests/postgres/describe-postgres.js';
import { binOf } from '../usage/duration-histogram.js';
import { bucketsOf, createUsageAggregator, upsertUsage, usageBucketId } from './usage-aggregator.js';
import { openMigratedStore, type MigratedStore } from '../../tests/helpers/migrated-store.js';

const HOUR = 3_600_000;
const TEN = new Date('2026-11-27T10:00:00.000Z');

const call = (id: string, patch: Partial<ModelCallRow>): ModelCallRow =>
  modelCallRowOf(id, { status: 'success', stream: false, inputTokens: 10, outputTokens: 5, creditsNano: 100, duration: 10, createdAt: new Date(TEN.getTime() + 60_000), ...patch });

interface BucketRow {
  id: string;
  userDid: string;
  appId: string;
  providerId: string;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  creditsNano: number;
  reportedCreditsNano: number;
  durations: Record<string, number> | null;
  periodStart: number;
}

async function bucketRows(db: Sequelize): Promise<BucketRow[]> {
  const rows = await db.query<Record<string, unknown>>('SELECT * FROM usages ORDER BY "userDid", "periodStart"', { type: QueryTypes.SELECT });
  return rows.map((r) => ({
    id: r.id as string,
    userDid: r.userDid as string,
    appId: r.appId as string,
    providerId: r.providerId as string,
    calls: Number(r.calls),
    errors: Number(r.errors),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    creditsNano: Number(r.creditsNano),
    reportedCreditsNano: Number(r.reportedCreditsNano),
    // The two dialects write the merged JSON differently (spacing, numbers as text): compared parsed.
    durations: r.durations === null ? null : (JSON.parse(r.durations as string) as Record<string, number>),
    periodStart: new Date(r.periodStart as string).getTime(),
  }));
}

describe.each([{ dialect: 'sqlite' }, { dialect: 'postgres' }])('usage buckets on $dialect', ({ dialect }) => {
  let db: Sequelize;
  let store: MigratedStore;

  beforeAll(async () => {
    store = await openMigratedStore(dialect, 'usage_buckets');
    db = store.sequelize;
  });
  afterAll(() => store?.close());
  beforeEach(async () => {
    await db.query('DELETE FROM usages');
    await db.query('DELETE FROM usage_stale_hours');
  });

  /** One flush of the aggregator, in a write transaction as the recorder runs it. */
  const flush = (rows: ModelCallRow[], reportable: (row: ModelCallRow) => number = () => 0) => {
    const hook = createUsageAggregator(db, reportable);
    return writeTransaction(db, (t, afterCommit) => hook.write(rows, t, afterCommit));
  };

  it('adds each flush to the buckets already written: calls, errors, tokens, credits and durations', async () => {
    await flush(
      [
        call('a1', { userDid: 'a', duration: 10 }),
        call('a2', { userDid: 'a', status: 'failed', duration: 250, inputTokens: 3, outputTokens: 0, creditsNano: 0 }),
        // Durations only in the second flush, and only in the first.
        call('b1', { userDid: 'b', duration: null }),
        call('c1', { userDid: 'c', duration: 40 }),
      ],
      (row) => (row.id === 'a1' ? 30 : 0),
    );
    await flush(
      [
        call('a3', { userDid: 'a', duration: 10, creditsNano: 7 }),
        call('a4', { userDid: 'a', status: 'failed', duration: 1200, inputTokens: 1, outputTokens: 1, creditsNano: 2 }),
        call('b2', { userDid: 'b', duration: 90 }),
        call('c2', { userDid: 'c', duration: null }),
      ],
      (row) => (row.id === 'a4' ? 2 : 0),
    );
    const rows = await bucketRows(db);
    const id = (user: string) => usageBucketId(TEN, user, '', 'openai/gpt-4o-mini', 'p1', 'chatCompletion');
    expect(rows).toEqual([
      {
        id: id('a'),
        userDid: 'a',
        appId: '',
        providerId: 'p1',
        calls: 4,
        errors: 2,
        inputTokens: 24,
        outputTokens: 11,
        creditsNano: 109,
        reportedCreditsNano: 109 - 30 - 2,
        durations: { [binOf(10)]: 2, [binOf(250)]: 1, [binOf(1200)]: 1 },
        periodStart: TEN.getTime(),
      },
      { id: id('b'), userDid: 'b', appId: '', providerId: 'p1', calls: 2, errors: 0, inputTokens: 20, outputTokens: 10, creditsNano: 200, reportedCreditsNano: 200, durations: { [binOf(90)]: 1 }, periodStart: TEN.getTime() },
      { id: id('c'), userDid: 'c', appId: '', providerId: 'p1', calls: 2, errors: 0, inputTokens: 20, outputTokens: 10, creditsNano: 200, reportedCreditsNano: 200, durations: { [binOf(40)]: 1 }, periodStart: TEN.getTime() },
    ]);
  });

  it('marks the hours already over for the roll-ups to redo, and not the hour still running', async () => {
    const now = Date.now();
    const thisHour = Math.floor(now / HOUR) * HOUR;
    await flush([
      call('old', { createdAt: TEN }),
      call('older', { createdAt: new Date(TEN.getTime() - 2 * HOUR + 5) }),
      call('current', { createdAt: new Date(now) }),
    ]);
    const stale = await db.query<{ periodStart: string }>('SELECT "periodStart" FROM usage_stale_hours ORDER BY "periodStart"', { type: QueryTypes.SELECT });
    expect(stale.map((s) => new Date(s.periodStart).getTime())).toEqual([TEN.getTime() - 2 * HOUR, TEN.getTime()]);
    expect((await bucketRows(db)).map((b) => b.periodStart).sort()).toEqual([TEN.getTime() - 2 * HOUR, TEN.getTime(), thisHour].sort());
  });

  it('writes every bucket of a flush of more buckets than one statement takes', async () => {
    const users = Array.from({ length: 450 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    await flush(users.map((u, i) => call(`r${i}`, { userDid: u, creditsNano: i })));
    await flush(users.slice(0, 3).map((u, i) => call(`again${i}`, { userDid: u, creditsNano: 1 })));
    const rows = await bucketRows(db);
    expect(rows.map((r) => r.userDid)).toEqual(users);
    expect(rows.map((r) => r.calls)).toEqual(users.map((_, i) => (i < 3 ? 2 : 1)));
    expect(rows.map((r) => r.creditsNano)).toEqual(users.map((_, i) => (i < 3 ? i + 1 : i)));
  });

  it('writes nothing for a flush without buckets', async () => {
    await flush([call('progress', { status: 'processing' })]);
    await upsertUsage(db, []);
    expect(await bucketRows(db)).toEqual([]);
  });
});

describePostgres('usage buckets locked in one order on PostgreSQL', () => {
  let db: Sequelize;
  let store: MigratedStore;

  beforeAll(async () => {
    store = await openMigratedStore('postgres', 'usage_order');
    db = store.sequelize;
  });
  afterAll(() => store?.close());

  it('does not deadlock with a writer that has locked the first bucket of its list', async () => {
    const buckets = bucketsOf(['a', 'b', 'c', 'd'].map((u) => call(u, { userDid: u })), () => 0).sort((x, y) => (x.id < y.id ? -1 : 1));
    await upsertUsage(db, buckets);
    const first = buckets[0]!;
    const waitingOnLocks = async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`, { type: QueryTypes.SELECT }))[0]!.n);
    const one: Transaction = await db.transaction();
    const other: Transaction = await db.transaction();
    try {
      await upsertUsage(db, [first], one);
      // Handed the buckets out of order: in id order it waits for the first bucket holding none of
      // the others; in the order given (or reversed) it would hold some and wait, and the next write deadlock.
      const [b0, b1, b2, b3] = buckets;
      const waiting = upsertUsage(db, [b1!, b0!, b3!, b2!], other).then(
        () => null,
        (e: unknown) => e,
      );
      const end = performance.now() + 20_000;
      while ((await waitingOnLocks()) < 1) {
        if (performance.now() > end) throw new Error('the second writer never waited for the first');
        await new Promise((r) => setImmediate(r));
      }
      await upsertUsage(db, buckets.slice(1), one);
      await one.commit();
      expect(await waiting).toBeNull();
      await other.commit();
    } finally {
      for (const t of [one, other]) if (!(t as unknown as { finished?: string }).finished) await t.rollback().catch(() => undefined);
    }
    const rows = await db.query<{ calls: number }>('SELECT "calls" FROM usages ORDER BY "id"', { type: QueryTypes.SELECT });
    expect(rows.map((r) => Number(r.calls))).toEqual([3, 3, 3, 3]);
  });
});
