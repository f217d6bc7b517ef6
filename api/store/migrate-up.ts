/**
 * Applies pending migrations at start. When the `migrations` table already names every file, nothing
 * more is loaded (umzug and the migration files cost a start a quarter of a second of CPU); else
 * umzug runs them. On PostgreSQL, instances starting together take turns under a transaction-level
 * advisory lock (released at commit), so only the first one migrates and the others find nothing
 * pending.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { listMigrationFiles, migrationName } from './migration-files.js';

/** Key of the PostgreSQL advisory lock that serializes migrations between instances. */
const MIGRATION_LOCK_KEY = 0x41_49_47_4e; // 'AIGN'

async function allApplied(sequelize: Sequelize): Promise<boolean> {
  let rows: { name: string }[];
  try {
    rows = await sequelize.query<{ name: string }>('SELECT "name" FROM "migrations"', { type: QueryTypes.SELECT });
  } catch {
    return false; // no migrations table yet
  }
  const applied = new Set(rows.map((r) => r.name));
  return listMigrationFiles().every((file) => applied.has(migrationName(file)));
}

export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  if (await allApplied(sequelize)) return [];
  const { createMigrator } = await import('./migrate.js');
  const run = async () => (await createMigrator(sequelize).up()).map((m) => m.name);
  if (sequelize.getDialect() !== 'postgres') return run();
  return sequelize.transaction(async (t) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key: MIGRATION_LOCK_KEY }, transaction: t });
    return run();
  });
}
