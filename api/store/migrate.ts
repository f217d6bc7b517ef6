/** Runs the umzug migrations in migrations/ (`.ts` under tsx and vitest, `.js` once built). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';

const here = path.dirname(fileURLToPath(import.meta.url));
const MIGRATIONS_DIR = path.resolve(here, '../../migrations');

type MigrationFn = (params: { context: QueryInterface }) => Promise<void>;

function listMigrationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{14}-[a-z0-9-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
}

export function createMigrator(sequelize: Sequelize, dir = MIGRATIONS_DIR): Umzug<QueryInterface> {
  return new Umzug({
    migrations: listMigrationFiles(dir).map((file) => {
      const name = file.replace(/\.(ts|js)$/, '');
      const url = pathToFileURL(path.join(dir, file)).href;
      const load = async () => (await import(url)) as { up: MigrationFn; down: MigrationFn };
      return {
        name,
        up: async (params: { context: QueryInterface }) => (await load()).up(params),
        down: async (params: { context: QueryInterface }) => (await load()).down(params),
      };
    }),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'migrations' }),
    logger: undefined,
  });
}

/** Key of the PostgreSQL advisory lock that serializes migrations between instances. */
const MIGRATION_LOCK_KEY = 0x41_49_47_4e; // 'AIGN'

/**
 * Applies pending migrations. On PostgreSQL, instances starting together take turns under a
 * transaction-level advisory lock (released at commit), so only the first one migrates and the
 * others find nothing pending.
 */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const run = async () => (await createMigrator(sequelize).up()).map((m) => m.name);
  if (sequelize.getDialect() !== 'postgres') return run();
  return sequelize.transaction(async (t) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key: MIGRATION_LOCK_KEY }, transaction: t });
    return run();
  });
}
