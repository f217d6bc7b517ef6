/**
 * A migrated store for tests that run on both databases: a temporary SQLite file, or a scratch
 * database on the tests' PostgreSQL server (dropped again by `close`).
 */
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { migrateUp } from '../../store/migrate-up.js';
import { openDatabase } from '../../store/sequelize.js';
import { createTestDatabase } from '../postgres/database.js';
import { makeTempDir } from './temp-dir.js';

export interface MigratedStore {
  sequelize: Sequelize;
  close(): Promise<void>;
}

/** `dialect`: 'postgres', else SQLite (describe.each's names). */
export async function openMigratedStore(dialect: string, label: string): Promise<MigratedStore> {
  const scratch = dialect === 'postgres' ? await createTestDatabase(label) : undefined;
  const sequelize = openDatabase({ sqlitePath: path.join(makeTempDir(), 'aikit.db'), databaseUrl: scratch?.url });
  const close = async () => {
    await sequelize.close();
    await scratch?.drop();
  };
  try {
    await migrateUp(sequelize);
  } catch (err) {
    await close();
    throw err;
  }
  return { sequelize, close };
}
