/**
 * Opens the database: SQLite (WAL, synchronous=NORMAL, busy_timeout) at <dataDir>/aikit.db by
 * default, PostgreSQL when DATABASE_URL is set.
 */
import { Sequelize } from 'sequelize';
import { makeDatabaseFilePrivate } from '../lib/private-file.js';

export interface DatabaseOptions {
  sqlitePath: string;
  databaseUrl?: string;
  busyTimeoutMs?: number;
  logging?: (sql: string) => void;
}

const SQLITE_PRAGMAS = (busyTimeoutMs: number) => [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = NORMAL',
  `PRAGMA busy_timeout = ${busyTimeoutMs}`,
  'PRAGMA foreign_keys = ON',
];

type SqliteDb = { run(sql: string, cb: (err: Error | null) => void): void };

function runPragma(db: SqliteDb, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (err) => (err ? reject(err) : resolve())));
}

/**
 * Sequelize's SQLite dialect opens one connection per transaction and runs no connect hook, so the
 * per-connection PRAGMAs are applied here on the first sight of every connection.
 */
function applyPragmasOnConnect(sequelize: Sequelize, busyTimeoutMs: number): void {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteDb>;
  };
  const original = manager.getConnection.bind(manager);
  const prepared = new WeakSet<object>();
  manager.getConnection = async (options?: unknown) => {
    const connection = await original(options);
    if (!prepared.has(connection)) {
      prepared.add(connection);
      for (const sql of SQLITE_PRAGMAS(busyTimeoutMs)) await runPragma(connection, sql);
    }
    return connection;
  };
}

type SqliteConnection = SqliteDb & { uuid?: string; close(cb?: (err: Error | null) => void): void };

interface SqliteManager {
  connections: Record<string, SqliteConnection>;
  getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection, force?: boolean): unknown;
  destroyConnection(connection: SqliteConnection): Promise<void>;
  close(): Promise<unknown>;
}

/**
 * Sequelize's SQLite dialect opens a new connection for every transaction (and closes it after),
 * so each transaction paid for opening the file and the PRAGMAs — most of the cost of a credit
 * reservation. Connections of transactions that ended cleanly (committed or rolled back) are kept,
 * up to `maxIdle`, and handed to the next transaction; one that failed to end is closed.
 */
function reuseTransactionConnections(sequelize: Sequelize, maxIdle = 4): void {
  const manager = sequelize.connectionManager as unknown as SqliteManager;
  const idle: SqliteConnection[] = [];
  const closeQuietly = (c: SqliteConnection) => new Promise<void>((resolve) => c.close(() => resolve()));
  const getConnection = manager.getConnection.bind(manager);
  const releaseConnection = manager.releaseConnection.bind(manager);
  const close = manager.close.bind(manager);
  manager.getConnection = async (options) => {
    const uuid = options?.uuid;
    if (uuid && uuid !== 'default' && idle.length) {
      const connection = idle.pop()!;
      manager.connections[uuid] = connection;
      return connection;
    }
    return getConnection(options);
  };
  manager.releaseConnection = (connection, force) => {
    const uuid = connection.uuid;
    if (!force && uuid && uuid !== 'default' && manager.connections[uuid] === connection && idle.length < maxIdle) {
      delete manager.connections[uuid];
      idle.push(connection);
      return;
    }
    return releaseConnection(connection, force);
  };
  manager.destroyConnection = async (connection) => {
    const uuid = connection.uuid;
    if (uuid && manager.connections[uuid] === connection) delete manager.connections[uuid];
    await closeQuietly(connection);
  };
  manager.close = async () => {
    await Promise.all(idle.splice(0).map(closeQuietly));
    return close();
  };
}

type PgTypes = { setTypeParser(oid: number, parse: (value: string) => unknown): void };

const PG_INT8 = 20;

/** A whole number that a JS number holds exactly; anything larger stays the exact string. */
function parsePgInt8(value: string): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/**
 * `pg` returns BIGINT (int8: our nano-credit and token columns, COUNT(*)) as strings. Parse the
 * ones that fit into JS numbers, as SQLite returns them, so that models and raw readers see the
 * same values on both. (Type parsers are global to the `pg` module.) NUMERIC stays an exact string
 * (Sequelize's own parser), and SUM() of a BIGINT is a NUMERIC on PostgreSQL: write
 * `CAST(SUM(x) AS BIGINT)`, which means the same on both databases and reads back as a number.
 */
function parsePgNumbers(sequelize: Sequelize): void {
  const types = (sequelize.connectionManager as unknown as { lib: { types: PgTypes } }).lib.types;
  types.setTypeParser(PG_INT8, parsePgInt8);
}

export function openDatabase(options: DatabaseOptions): Sequelize {
  const logging = options.logging ?? false;
  if (options.databaseUrl) {
    const sequelize = new Sequelize(options.databaseUrl, {
      dialect: 'postgres',
      logging,
      pool: { max: 10, min: 0, idle: 10_000 },
    });
    parsePgNumbers(sequelize);
    return sequelize;
  }
  makeDatabaseFilePrivate(options.sqlitePath);
  const sequelize = new Sequelize({
    dialect: 'sqlite',
    storage: options.sqlitePath,
    logging,
    // Numbers stored as BIGINT come back as JS numbers; our micro-unit amounts stay well inside 2^53.
  });
  applyPragmasOnConnect(sequelize, options.busyTimeoutMs ?? 5000);
  reuseTransactionConnections(sequelize);
  return sequelize;
}

export const isPostgres = (sequelize: Sequelize): boolean => sequelize.getDialect() === 'postgres';
