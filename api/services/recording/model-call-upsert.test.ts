/**
 * The ModelCall upsert on a real SQLite file and on PostgreSQL (values are escaped per dialect):
 * rows stored exactly as bulkCreate stores them, the model's defaults for what a row leaves out,
 * only the updatable columns changed on conflict, and the statement run in the caller's transaction.
 */
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { initModels, type Models } from '../../store/models/index.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { createModelCallUpsert } from './model-call-upsert.js';
import { openMigratedStore, type MigratedStore } from '../../tests/helpers/migrated-store.js';

const row = (id: string, over: Partial<ModelCallRow> = {}): ModelCallRow =>
  modelCallRowOf(id, {
    model: "gpt-4o-mini 'quoted' \"double\" ? :name $1",
    userDid: 'user_1',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    updatedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...over,
  });

const UPDATABLE = ['status', 'inputTokens', 'outputTokens', 'creditsNano', 'usageEstimated', 'duration', 'errorReason', 'updatedAt'];

describe.each([{ dialect: 'sqlite' }, { dialect: 'postgres' }])('model call upsert on $dialect', ({ dialect }) => {
  let db: Sequelize;
  let models: Models;
  let store: MigratedStore;

  beforeAll(async () => {
    store = await openMigratedStore(dialect, 'model_call_upsert');
    db = store.sequelize;
    models = initModels(db);
  });
  afterAll(() => store?.close());
  beforeEach(async () => {
    await models.ModelCall.destroy({ where: {} });
  });

  /** The row as stored, every column but the ids. */
  const raw = async (id: string) => {
    const [rows] = await db.query(`SELECT * FROM model_calls WHERE id = '${id}'`);
    const { id: _id, requestId: _r, ...rest } = (rows as Record<string, unknown>[])[0]!;
    return rest;
  };

  it('stores rows exactly as bulkCreate does, and updates only the updatable columns on conflict', async () => {
    const upsert = createModelCallUpsert(models, UPDATABLE);
    await models.ModelCall.bulkCreate([row('by-model')]);
    await upsert([row('by-upsert'), row('second', { stream: false, usageEstimated: true })]);
    expect(await raw('by-upsert')).toEqual(await raw('by-model'));

    const later = new Date('2026-01-02T03:04:09.000Z');
    await upsert([
      row('by-upsert', {
        status: 'success',
        inputTokens: 12,
        outputTokens: 7,
        creditsNano: 9_007_199_254_740_991,
        duration: 41,
        errorReason: "it's fine",
        updatedAt: later,
        createdAt: later,
        // Not updatable: the first values stay.
        model: 'other-model',
        userDid: 'user_2',
        stream: false,
        attempts: 5,
        ttfb: 9,
        traceId: 'trace-2',
      }),
    ]);
    const stored = (await models.ModelCall.findByPk('by-upsert'))!.get({ plain: true });
    expect(stored).toMatchObject({
      status: 'success',
      inputTokens: 12,
      outputTokens: 7,
      creditsNano: 9_007_199_254_740_991,
      duration: 41,
      errorReason: "it's fine",
      model: "gpt-4o-mini 'quoted' \"double\" ? :name $1",
      userDid: 'user_1',
      stream: true,
      attempts: 1,
      ttfb: null,
      traceId: null,
    });
    expect(new Date(stored!.createdAt).toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(new Date(stored!.updatedAt).toISOString()).toBe(later.toISOString());
    expect((await models.ModelCall.findByPk('second'))!.usageEstimated).toBe(true);
    expect(await models.ModelCall.count()).toBe(3);
  });

  it("stores the model's defaults for the columns a row leaves out, and null for those without one", async () => {
    const upsert = createModelCallUpsert(models, UPDATABLE);
    const partial = { id: 'partial', model: 'm', type: 'embedding', status: 'success', createdAt: new Date('2026-01-02T03:04:05.678Z'), updatedAt: new Date('2026-01-02T03:04:05.678Z') };
    await upsert([partial as unknown as ModelCallRow]);
    await models.ModelCall.bulkCreate([{ ...partial, id: 'by-model' } as unknown as ModelCallRow]);
    expect(await raw('partial')).toEqual(await raw('by-model'));
    expect((await models.ModelCall.findByPk('partial'))!.get({ plain: true })).toMatchObject({
      stream: false,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      creditsNano: 0,
      usageEstimated: false,
      attempts: 0,
      traceId: null,
      duration: null,
      userDid: null,
      accessKeyId: null,
    });
  });

  it("writes in the caller's transaction, and nothing for no rows", async () => {
    const upsert = createModelCallUpsert(models, UPDATABLE);
    const t = await db.transaction();
    await upsert([row('rolled-back')], t);
    await t.rollback();
    await upsert([]);
    expect(await models.ModelCall.count()).toBe(0);
    const kept = await db.transaction();
    await upsert([row('kept')], kept);
    await kept.commit();
    expect((await models.ModelCall.findAll({ raw: true })).map((r) => r.id)).toEqual(['kept']);
  });
});
