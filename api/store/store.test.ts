import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../tests/helpers/temp-dir.js';
import { createMigrator } from './migrate.js';
import { openDatabase } from './sequelize.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('sqlite storage', () => {
  it('opens <dataDir>/aikit.db with WAL, synchronous=NORMAL and a busy timeout on every connection', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const file = path.join(dir, 'nested', 'aikit.db');
    const db = openDatabase({ sqlitePath: file, busyTimeoutMs: 4321 });
    const read = async (pragma: string, transaction?: unknown) => {
      const [rows] = await db.query(`PRAGMA ${pragma}`, { transaction: transaction as never });
      return Object.values((rows as Record<string, unknown>[])[0]!)[0];
    };
    expect(await read('journal_mode')).toBe('wal');
    expect(await read('synchronous')).toBe(1); // NORMAL
    expect(await read('busy_timeout')).toBe(4321);
    // A transaction runs on its own connection: it must get the same settings.
    await db.transaction(async (t) => {
      expect(await read('synchronous', t)).toBe(1);
      expect(await read('busy_timeout', t)).toBe(4321);
    });
    expect(fs.existsSync(file)).toBe(true);
    await db.close();
  });

  it('runs every migration up, down, and up again', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const db = openDatabase({ sqlitePath: path.join(dir, 'aikit.db') });
    const migrator = createMigrator(db);
    const tables = async () => (await db.getQueryInterface().showAllTables()).filter((t) => t !== 'migrations').sort();
    const all = await migrator.up();
    expect(all.length).toBeGreaterThan(0);
    expect(await tables()).toEqual(expect.arrayContaining(['access_keys', 'ai_credentials', 'ai_model_rates', 'ai_providers', 'apps', 'model_calls', 'usages', 'users']));
    await migrator.down({ to: 0 });
    expect(await tables()).toEqual([]);
    expect(await migrator.executed()).toEqual([]);
    const again = await migrator.up();
    expect(again.map((m) => m.name)).toEqual(all.map((m) => m.name));
    const indexes = (await db.getQueryInterface().showIndex('model_calls')) as { name: string }[];
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['model_calls_created_at', 'model_calls_user_created']));
    await db.close();
  });
});
