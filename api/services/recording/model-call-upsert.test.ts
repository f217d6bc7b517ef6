import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { migrateUp } from '../../store/migrate.js';
import { initModels } from '../../store/models/index.js';
import { openDatabase } from '../../store/sequelize.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { createModelCallUpsert } from './model-call-upsert.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const row = (id: string, over: Partial<ModelCallRow> = {}): ModelCallRow =>
  modelCallRowOf(id, {
    model: "gpt-4o-mini 'quoted' \"double\" ? :name $1",
    userDid: 'user_1',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    updatedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...over,
  });

describe('model call upsert', () => {
  it('stores rows exactly as bulkCreate does, and updates them on conflict', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const db = openDatabase({ sqlitePath: path.join(dir, 'aikit.db') });
    await migrateUp(db);
    const models = initModels(db);
    const upsert = createModelCallUpsert(models, ['status', 'inputTokens', 'outputTokens', 'creditsNano', 'usageEstimated', 'duration', 'errorReason', 'updatedAt']);

    await models.ModelCall.bulkCreate([row('by-model')]);
    await upsert([row('by-upsert'), row('second', { stream: false, usageEstimated: true })]);
    const raw = async (id: string) => {
      const [rows] = await db.query(`SELECT * FROM model_calls WHERE id = '${id}'`);
      const { id: _id, requestId: _r, ...rest } = (rows as Record<string, unknown>[])[0]!;
      return rest;
    };
    expect(await raw('by-upsert')).toEqual(await raw('by-model'));

    const later = new Date('2026-01-02T03:04:09.000Z');
    await upsert([row('by-upsert', { status: 'success', inputTokens: 12, outputTokens: 7, creditsNano: 9_007_199_254_740_991, duration: 41, errorReason: "it's fine", updatedAt: later, createdAt: later })]);
    const stored = await models.ModelCall.findByPk('by-upsert');
    expect(stored).toMatchObject({ status: 'success', inputTokens: 12, outputTokens: 7, creditsNano: 9_007_199_254_740_991, duration: 41, errorReason: "it's fine", stream: true });
    expect(stored!.createdAt.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(stored!.updatedAt.toISOString()).toBe(later.toISOString());
    expect((await models.ModelCall.findByPk('second'))!.usageEstimated).toBe(true);
    expect(await models.ModelCall.count()).toBe(3);
    await db.close();
  });
});
