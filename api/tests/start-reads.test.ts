/**
 * A start must not depend on how many calls the store holds: on an SQLite store an older hub left
 * (calls, buckets, calls interrupted mid-way), every statement the upgrading start runs that touches
 * model_calls looks rows up through an index — no table scan, no full index walk, no index built
 * over the table — whatever is left over goes to the roll-up job's batches. A member's per-key usage
 * is read among the user's calls, so no index of the key has to be built over old rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { afterAll, describe, expect, it } from 'vitest';
import { usageByKey } from '../services/key-usage.js';
import { createMigrator } from '../store/migrate.js';
import { openDatabase } from '../store/sequelize.js';
import { makeTempDir, startTestHub, type TestHub } from './helpers/hub.js';
import { modelCallRowOf } from './helpers/model-call-row.js';

const BEFORE_HISTOGRAMS = '20261126100000-create-credit-ledger';
const HOUR = 3_600_000;

async function olderStore(dataDir: string): Promise<void> {
  const db = openDatabase({ sqlitePath: path.join(dataDir, 'aikit.db') });
  await createMigrator(db).up({ to: BEFORE_HISTOGRAMS });
  const start = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
  const rows = Array.from({ length: 300 }, (_, i) => {
    const { accessKeyId: _key, ...row } = modelCallRowOf(`call-${i}`, { status: i % 50 === 0 ? 'processing' : i % 20 === 0 ? 'failed' : 'success', duration: 100 + i, userDid: `user-${i % 4}` });
    const createdAt = new Date(start + i * 800_000);
    return { ...row, createdAt, updatedAt: createdAt };
  });
  await db.getQueryInterface().bulkInsert('model_calls', rows);
  await db.query(
    `INSERT INTO usages ("id", "periodStart", "userDid", "appId", "model", "providerId", "type", "calls", "createdAt", "updatedAt")
     VALUES ('b1', :at, 'user-9', '', 'openai/gpt-4o', 'p1', 'chatCompletion', 1, :at, :at)`,
    { replacements: { at: new Date(start) } },
  );
  await db.close();
}

describe('an upgrading start on a store full of calls', () => {
  let t: TestHub | undefined;
  const statements: string[] = [];
  const dataDir = makeTempDir();
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads model_calls only through indexes and builds no index over it', async () => {
    await olderStore(dataDir);
    t = await startTestHub({ TRACING_ENABLED: 'false' }, { dataDir, sqlLog: (sql) => statements.push(sql.replace(/^Execut(ing|ed) \([^)]*\): /, '')) });
    const started = statements.splice(0);

    const touching = started.filter((sql) => /model_calls/i.test(sql) && !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT)/i.test(sql));
    // The upgrade's own statements and the interrupted calls' closing are among them.
    expect(touching.some((sql) => /^ALTER TABLE/i.test(sql))).toBe(true);
    expect(touching.some((sql) => /^UPDATE model_calls/i.test(sql))).toBe(true);
    expect(touching.filter((sql) => /^CREATE\b.*\bINDEX\b/i.test(sql))).toEqual([]);

    const scans: string[] = [];
    for (const sql of touching.filter((s) => /^(SELECT|UPDATE|DELETE|INSERT|WITH)\b/i.test(s))) {
      const plan = await t.hub.sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql.replace(/\$\d+/g, 'NULL')}`, { type: QueryTypes.SELECT });
      for (const { detail } of plan) if (/^SCAN model_calls\b/.test(detail)) scans.push(`${detail}: ${sql.slice(0, 200)}`);
    }
    expect(scans).toEqual([]);
  });

  it('reads a key\'s month of calls among its user\'s calls, with no index of the key', async () => {
    statements.splice(0);
    const usage = await usageByKey(t!.hub.sequelize, 'user-1', ['key-1'], new Date(Date.now() - 40 * 24 * HOUR));
    expect(usage.size).toBe(0);
    const [sql] = statements.filter((s) => /accessKeyId/.test(s));
    const plan = await t!.hub.sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { type: QueryTypes.SELECT });
    expect(plan.map((p) => p.detail).join('; ')).toContain('USING INDEX model_calls_user_created');
    const indexes = (await t!.hub.sequelize.getQueryInterface().showIndex('model_calls')) as { name: string }[];
    expect(indexes.map((i) => i.name)).not.toContain('model_calls_access_key_created');
  });
});
