/** Runs the umzug migrations in migrations/ (`.ts` under tsx and vitest, `.js` once built). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = path.resolve(here, '../../migrations');

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

export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const done = await createMigrator(sequelize).up();
  return done.map((m) => m.name);
}
