/**
 * Access keys on PostgreSQL, where creations run side by side: a user's most live keys holds
 * however many are asked for at once (the user's row lock puts them in line).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initModels } from '../store/models/index.js';
import { createAccessKeyService } from './access-keys.js';
import { createUserService } from './users.js';
import { openMigratedStore, type MigratedStore } from '../tests/helpers/migrated-store.js';

describe('access keys on PostgreSQL', () => {
  let store: MigratedStore;
  let db: Sequelize;

  beforeAll(async () => {
    store = await openMigratedStore('postgres', 'access_keys');
    db = store.sequelize;
  });
  afterAll(() => store?.close());

  it('create no more than the most live keys of a user when asked for many at once', async () => {
    const models = initModels(db);
    const keys = createAccessKeyService(models, createUserService(models), { cacheTtlMs: 60_000 });
    const userDid = 'did:abt:eager';
    await keys.create({ name: 'first', userDid });
    const asks = 6;
    let inserting = 0;
    let refused = 0;
    const waitingOnLocks = async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`, { type: QueryTypes.SELECT }))[0]!.n);
    // Each insert waits until every other creation has counted the user's keys (and is inserting
    // too, or was refused) or waits for a lock: without the lock they would all count the same keys.
    models.AccessKey.addHook('beforeCreate', async () => {
      inserting += 1;
      const end = performance.now() + 20_000;
      while (inserting + refused + (await waitingOnLocks()) < asks) {
        if (performance.now() > end) throw new Error('the other creations neither counted nor waited');
        await new Promise((r) => setImmediate(r));
      }
    });
    const results = await Promise.allSettled(
      Array.from({ length: asks }, (_, i) =>
        keys.create({ name: `k${i}`, userDid }, { maxLive: 3 }).catch((e: unknown) => {
          refused += 1;
          throw e;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((x) => x.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'too_many_keys' });
    expect(await keys.list({ userDid })).toHaveLength(3);
  });
});
