/**
 * The store on PostgreSQL reads back what SQLite does: BIGINT amounts and COUNT/SUM results as
 * numbers, booleans, JSON columns, dates; the recorder's upsert updates in place; the instance
 * lock tells a starting hub whether another one is running.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { createCallRecorder } from '../../services/recording/call-recorder.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { feedApplicationName, openChangeFeed, type ChangeEvent } from '../../store/change-feed.js';
import { reconcileInterruptedCalls } from '../../store/interrupted-calls.js';
import { migrateUp } from '../../store/migrate.js';
import { initModels, type Models } from '../../store/models/index.js';
import { openDatabase } from '../../store/sequelize.js';
import { waitFor } from '../helpers/gateway.js';
import { modelCallRowOf } from '../helpers/model-call-row.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';

const logger = createLogger({ level: 'silent' });

const callRow = modelCallRowOf;

describePostgres('store on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Sequelize;
  let models: Models;

  beforeAll(async () => {
    database = await createTestDatabase('store');
    db = openDatabase({ sqlitePath: '', databaseUrl: database.url });
    await migrateUp(db);
    models = initModels(db);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('returns BIGINT amounts, counts and sums as numbers, and booleans, JSON and dates as such', async () => {
    const big = 2 ** 52 + 7; // beyond 32 bits, exact as a JS number
    await models.ModelCall.create({ ...callRow('big'), status: 'success', creditsNano: big, usageEstimated: true });
    const row = await models.ModelCall.findByPk('big');
    expect(row!.creditsNano).toBe(big);
    expect(row!.stream).toBe(true);
    expect(row!.usageEstimated).toBe(true);
    expect(row!.createdAt).toBeInstanceOf(Date);

    const [totals] = await db.query<{ n: unknown; total: unknown; exact: unknown; tokens: unknown }>(
      `SELECT COUNT(*) AS "n", CAST(SUM("creditsNano") AS BIGINT) AS "total", SUM("creditsNano") AS "exact", SUM("inputTokens") AS "tokens"
       FROM model_calls WHERE "id" = :id`,
      { replacements: { id: 'big' }, type: QueryTypes.SELECT },
    );
    // SUM() of a BIGINT is a NUMERIC on PostgreSQL (an exact string); cast back, it is a number.
    expect(totals).toEqual({ n: 1, total: big, exact: String(big), tokens: 0 });

    // A BIGINT beyond 2^53 stays an exact string rather than a rounded number.
    const [huge] = await db.query<{ v: unknown }>(`SELECT 9007199254740993::bigint AS "v"`, { type: QueryTypes.SELECT });
    expect(huge!.v).toBe('9007199254740993');

    await models.AiProvider.create({ id: 'p1', name: 'openai', displayName: 'OpenAI', baseUrl: null, region: null, enabled: false, rank: 3, config: { headers: { 'x-a': '1' }, list: [1, 2] } });
    const provider = await models.AiProvider.findByPk('p1');
    expect(provider!.enabled).toBe(false);
    expect(provider!.config).toEqual({ headers: { 'x-a': '1' }, list: [1, 2] });
  });

  it('upserts recorder batches in place: a processing row becomes its settled row', async () => {
    const recorder = createCallRecorder(models, logger);
    recorder.enqueue(callRow('call-1'));
    await recorder.flush();
    expect((await models.ModelCall.findByPk('call-1'))!.status).toBe('processing');
    await recorder.commit(callRow('call-1', { status: 'success', inputTokens: 3, outputTokens: 4, creditsNano: 1100, duration: 12 }));
    const rows = await models.ModelCall.findAll({ where: { id: 'call-1' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.toJSON()).toMatchObject({ status: 'success', inputTokens: 3, outputTokens: 4, creditsNano: 1100, duration: 12, stream: true });
  });

  it('closes every processing call when alone, and only stale ones when other instances run', async () => {
    await models.ModelCall.bulkCreate([callRow('live'), callRow('stale')]);
    await db.query(`UPDATE model_calls SET "updatedAt" = :old WHERE "id" = 'stale'`, { replacements: { old: new Date(Date.now() - 3_600_000) } });

    expect(await reconcileInterruptedCalls(models, logger, { alone: false, staleAfterMs: 60_000 })).toBe(1);
    expect((await models.ModelCall.findByPk('stale'))!.toJSON()).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    expect((await models.ModelCall.findByPk('live'))!.status).toBe('processing');

    expect(await reconcileInterruptedCalls(models, logger, { alone: true, staleAfterMs: 60_000 })).toBe(1);
    expect((await models.ModelCall.findByPk('live'))!.status).toBe('failed');
  });

  it('tells a starting instance whether another one runs, and carries changes to the others only', async () => {
    const first = await openChangeFeed({ sequelize: db, databaseUrl: database.url, logger });
    expect(first.alone).toBe(true);
    await first.ready();
    const second = await openChangeFeed({ sequelize: db, databaseUrl: database.url, logger });
    const third = await openChangeFeed({ sequelize: db, databaseUrl: database.url, logger });
    try {
      expect(second.alone).toBe(false);
      expect(third.alone).toBe(false);
      await second.ready();
      await third.ready();

      const seen: { by: string; event: ChangeEvent }[] = [];
      for (const [by, feed] of [['first', first], ['second', second], ['third', third]] as const) feed.subscribe((event) => seen.push({ by, event }));
      first.publish('providers', { resetCredentialId: 'c1' });
      second.publish('access-keys', { id: 'k1' });
      await waitFor(async () => seen.length >= 4);
      const summary = seen.map((s) => `${s.by}:${s.event.topic}`).sort();
      expect(summary).toEqual(['first:access-keys', 'second:providers', 'third:access-keys', 'third:providers']);
      expect(seen.find((s) => s.by === 'second')!.event.data).toEqual({ resetCredentialId: 'c1' });
    } finally {
      await third.close();
      await second.close();
      await first.close();
    }
    // Everyone left: the next one is alone again.
    const later = await openChangeFeed({ sequelize: db, databaseUrl: database.url, logger });
    expect(later.alone).toBe(true);
    await later.close();
  });

  it('reconnects a dropped listening connection and asks for a full resync', async () => {
    const feed = await openChangeFeed({ sequelize: db, databaseUrl: database.url, logger, reconnectMs: 20 });
    const other = await openChangeFeed({ sequelize: db, databaseUrl: database.url, logger });
    try {
      await feed.ready();
      await other.ready();
      const events: ChangeEvent[] = [];
      feed.subscribe((e) => events.push(e));
      // Kill the feed's LISTEN session from the server side.
      const [killed] = await db.query<{ n: unknown }>(
        `SELECT COUNT(pg_terminate_backend(pid)) AS "n" FROM pg_stat_activity WHERE application_name = :name`,
        { replacements: { name: feedApplicationName(feed.instanceId) }, type: QueryTypes.SELECT },
      );
      expect(killed!.n).toBe(1);
      await waitFor(async () => events.some((e) => e.topic === 'resync'));
      other.publish('providers');
      await waitFor(async () => events.some((e) => e.topic === 'providers'));
    } finally {
      await other.close();
      await feed.close();
    }
  });
});
