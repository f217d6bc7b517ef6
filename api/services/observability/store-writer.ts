/**
 * Writes to the local span store through its own sqlite3 connection: statements run on libuv's
 * thread pool, so the work of each span row (about ten indexes of the viewer's `Trace` table) stays
 * off the event loop, without a second JavaScript isolate or a message per statement. The viewer
 * reads the same file through the AIGNE store's own client; WAL keeps the two apart.
 */
import sqlite3 from 'sqlite3';
import type { SqlClient } from './aigne-internals.js';

/** A client for `file:<path>` whose `execute` runs a statement with positional arguments. */
export function createStoreWriter(url: string): SqlClient {
  const file = url.replace(/^file:/, '');
  let opened: Promise<sqlite3.Database> | undefined;
  const run = (db: sqlite3.Database, sql: string, args: unknown[] = []) =>
    new Promise<number>((resolve, reject) => {
      db.run(sql, args, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve(this.changes);
      });
    });
  const open = () =>
    (opened ??= new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(db)));
    }).then(async (db) => {
      // Spans are kept like the hub's own database: WAL without an fsync per commit.
      for (const pragma of ['PRAGMA busy_timeout = 5000', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL']) await run(db, pragma);
      return db;
    }));

  return {
    async execute(query) {
      const db = await open();
      return { rowsAffected: await run(db, query.sql, query.args) };
    },
    close() {
      const db = opened;
      opened = undefined;
      void db?.then((d) => d.close(), () => {});
    },
  };
}
