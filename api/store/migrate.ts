/** Runs the umzug migrations in migrations/ (`.ts` under tsx and vitest, `.js` once built). */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { listMigrationFiles, migrationName, MIGRATIONS_DIR } from './migration-files.js';

export { migrateUp } from './migrate-up.js';

type MigrationFn = (params: { context: QueryInterface }) => Promise<void>;

export function createMigrator(sequelize: Sequelize, dir = MIGRATIONS_DIR): Umzug<QueryInterface> {
  return new Umzug({
    migrations: listMigrationFiles(dir).map((file) => {
      const name = migrationName(file);
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
