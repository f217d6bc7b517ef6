/**
 * Usage buckets written by several instances at once: their multi-row upserts touch the same
 * buckets in different orders, which must neither deadlock (a lost batch) nor lose an increment.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUsageAggregator } from '../../services/recording/usage-aggregator.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { migrateUp } from '../../store/migrate.js';
import { openDatabase } from '../../store/sequelize.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { modelCallRowOf } from '../helpers/model-call-row.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';

const USERS = 24;
const ROUNDS = 40;

const settled = (userDid: string, n: number): ModelCallRow =>
  modelCallRowOf(`${userDid}-${n}`, {
    requestId: null,
    status: 'success',
    stream: false,
    inputTokens: 2,
    outputTokens: 3,
    creditsNano: 800,
    duration: 5,
    userDid,
    createdAt: new Date('2026-01-01T10:30:00Z'),
  });

describePostgres('usage aggregation from several instances on PostgreSQL', () => {
  let database: TestDatabase;
  let instances: Sequelize[];

  beforeAll(async () => {
    database = await createTestDatabase('usage');
    instances = [0, 1, 2].map(() => openDatabase({ sqlitePath: '', databaseUrl: database.url }));
    await migrateUp(instances[0]!);
  });
  afterAll(async () => {
    await Promise.all((instances ?? []).map((i) => i.close()));
    await database?.drop();
  });

  it('counts every call once when flushes cross', async () => {
    const flushes = instances.map((db) => createUsageAggregator(db, () => 0));
    const users = Array.from({ length: USERS }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    for (let round = 0; round < ROUNDS; round++) {
      // Each instance's batch names the same buckets, in its own order.
      await Promise.all(
        flushes.map((flush, i) => {
          const order = i % 2 === 0 ? users : [...users].reverse();
          const rotated = [...order.slice(i * 5), ...order.slice(0, i * 5)];
          // Each in a transaction, as the recorder runs it: bucket rows stay locked until commit.
          return writeTransaction(instances[i]!, (t, afterCommit) => flush.write(rotated.map((u) => settled(u, round)), t, afterCommit));
        }),
      );
    }
    const rows = await instances[0]!.query<{ userDid: string; calls: number; inputTokens: number; creditsNano: number }>(
      `SELECT "userDid", "calls", "inputTokens", "creditsNano" FROM usages ORDER BY "userDid"`,
      { type: QueryTypes.SELECT },
    );
    const perUser = instances.length * ROUNDS;
    expect(rows).toEqual(users.map((userDid) => ({ userDid, calls: perUser, inputTokens: 2 * perUser, creditsNano: 800 * perUser })));
  });
});
