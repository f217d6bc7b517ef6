/**
 * The filled stores, made once per spec and copied for each hub run: an SQLite file, or a
 * PostgreSQL database used as the template of the run's own. Both are at the schema before the
 * usage histograms, so that a run upgrades them as a real hub would (and an older build reads them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { createMigrator } from '../../../api/store/migrate.js';
import { openDatabase } from '../../../api/store/sequelize.js';
import { dropDatabase } from '../../../api/tests/postgres/database.js';
import { startEmbeddedPostgres } from '../../../api/tests/postgres/embedded-postgres.js';
import { fillStore, type FillResult, type FillSpec } from './fill.js';

export const BEFORE_HISTOGRAMS = '20261126100000-create-credit-ledger';

const specName = (s: FillSpec) => `${s.calls}_${s.days}d_${s.users}u_${s.models}m_${Math.round(s.failedShare * 100)}f`;

export interface PostgresServer {
  url: string;
  /** Stops the server this run started (nothing for a given one). */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server: BENCH_DATABASE_URL or TEST_DATABASE_URL, else a throw-away one from the
 * `embedded-postgres` package, as the tests start it (its databases go with it: a filled store is
 * then made again on each run).
 */
export async function postgresServer(log: (l: string) => void): Promise<PostgresServer> {
  const given = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  const server = await startEmbeddedPostgres();
  log(`started PostgreSQL (embedded-postgres) in ${server.dir}`);
  return { url: server.url, stop: () => server.stop() };
}

/** `url` with its database name replaced. */
export const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin<T>(url: string, fn: (db: Sequelize) => Promise<T>): Promise<T> {
  const db = new Sequelize(url, { dialect: 'postgres', logging: false, pool: { max: 1 } });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A copy of `template`; an autovacuum worker still on it makes PostgreSQL refuse for a moment. */
async function templateCopy(db: Sequelize, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (err) {
      if (attempt === 20 || !/being accessed by other users/.test(String((err as Error).message))) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export interface FilledStore {
  /** The SQLite file or the PostgreSQL database name. */
  where: string;
  fill?: FillResult;
  /** A copy to run a hub on; `drop` removes it. */
  copy(label: string, dataDir: string): Promise<{ databaseUrl?: string; sqlitePath: string; drop(): Promise<void> }>;
  remove(): Promise<void>;
}

export async function sqliteStore(spec: FillSpec, dir: string, refill: boolean, log: (l: string) => void): Promise<FilledStore> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `scale-${specName(spec)}.db`);
  let fill: FillResult | undefined;
  if (refill || !fs.existsSync(`${file}.done`)) {
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.done`]) fs.rmSync(f, { force: true });
    log(`filling ${file}`);
    const db = openDatabase({ sqlitePath: file });
    await createMigrator(db).up({ to: BEFORE_HISTOGRAMS });
    fill = await fillStore(db, spec, log);
    await db.query('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.close();
    fs.writeFileSync(`${file}.done`, JSON.stringify(fill));
  } else log(`reusing ${file}`);
  return {
    where: file,
    fill: fill ?? (JSON.parse(fs.readFileSync(`${file}.done`, 'utf8')) as FillResult),
    async copy(_label, dataDir) {
      fs.mkdirSync(dataDir, { recursive: true });
      const sqlitePath = path.join(dataDir, 'aikit.db');
      fs.copyFileSync(file, sqlitePath);
      return { sqlitePath, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
    },
    async remove() {
      for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.done`]) fs.rmSync(f, { force: true });
    },
  };
}

export async function postgresStore(spec: FillSpec, serverUrl: string, refill: boolean, log: (l: string) => void): Promise<FilledStore> {
  const name = `aigne_hub_scale_${specName(spec)}`;
  const exists = async () =>
    admin(serverUrl, async (db) => (await db.query(`SELECT 1 FROM pg_database WHERE datname = :name`, { replacements: { name }, type: QueryTypes.SELECT })).length > 0);
  const done = async () =>
    admin(withDatabase(serverUrl, name), async (db) => (await db.query(`SELECT 1 FROM pg_tables WHERE tablename = 'bench_filled'`, { type: QueryTypes.SELECT })).length > 0);
  let fill: FillResult | undefined;
  if (refill || !(await exists()) || !(await done())) {
    await admin(serverUrl, (db) => dropDatabase(db, name));
    await admin(serverUrl, (db) => db.query(`CREATE DATABASE "${name}"`));
    log(`filling PostgreSQL database ${name}`);
    const db = openDatabase({ sqlitePath: '', databaseUrl: withDatabase(serverUrl, name) });
    await createMigrator(db).up({ to: BEFORE_HISTOGRAMS });
    fill = await fillStore(db, spec, log);
    // As autovacuum would after a load this size, so that plans are those of a settled database.
    await db.query('VACUUM ANALYZE');
    await db.query(`CREATE TABLE bench_filled (fill TEXT)`);
    await db.query(`INSERT INTO bench_filled VALUES (:fill)`, { replacements: { fill: JSON.stringify(fill) } });
    await db.close();
  } else {
    log(`reusing PostgreSQL database ${name}`);
    fill = await admin(withDatabase(serverUrl, name), async (db) =>
      JSON.parse((await db.query<{ fill: string }>('SELECT fill FROM bench_filled', { type: QueryTypes.SELECT }))[0]!.fill),
    );
  }
  return {
    where: name,
    fill,
    async copy(label, dataDir) {
      const run = `${name.slice(0, 40)}_${label}_${process.pid}`;
      await admin(serverUrl, (db) => dropDatabase(db, run));
      await admin(serverUrl, (db) => templateCopy(db, run, name));
      fs.mkdirSync(dataDir, { recursive: true });
      return {
        databaseUrl: withDatabase(serverUrl, run),
        sqlitePath: path.join(dataDir, 'aikit.db'),
        async drop() {
          await admin(serverUrl, (db) => dropDatabase(db, run));
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    async remove() {
      await admin(serverUrl, (db) => dropDatabase(db, name));
    },
  };
}
