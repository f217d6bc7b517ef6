/**
 * Writes to the local span store from a worker thread. SQLite statements through libsql run
 * synchronously on the thread that issues them, and each span row updates about ten indexes of the
 * viewer's `Trace` table; in a worker that work stays off the event loop that serves requests.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LibsqlClient } from './aigne-internals.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createClient } = require(workerData.libsql);
const client = createClient({ url: workerData.url });
// Spans are kept like the hub's own database: WAL without an fsync per commit.
const ready = client.execute('PRAGMA busy_timeout = 5000').then(() => client.execute('PRAGMA synchronous = NORMAL'));
parentPort.on('message', async (m) => {
  try {
    await ready;
    const r = await client.execute({ sql: m.sql, args: m.args });
    parentPort.postMessage({ id: m.id, rowsAffected: r.rowsAffected });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

interface Pending {
  resolve(r: { rowsAffected: number }): void;
  reject(err: Error): void;
}

/** A libsql client whose `execute` runs in a worker (started on first use, restarted after a crash). */
export function createStoreWriter(url: string): LibsqlClient {
  const libsql = createRequire(createRequire(import.meta.url).resolve('@aigne/sqlite')).resolve('@libsql/client');
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const start = () => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { url, libsql } });
    w.unref();
    w.on('message', (m: { id: number; rowsAffected?: number; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve({ rowsAffected: m.rowsAffected ?? 0 });
    });
    const gone = (err: Error) => {
      if (worker === w) worker = undefined;
      failAll(err);
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`the span store writer stopped (exit ${code})`)));
    return w;
  };

  return {
    execute(query) {
      worker ??= start();
      const id = nextId++;
      const w = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, sql: query.sql, args: query.args });
      });
    },
    close() {
      const w = worker;
      worker = undefined;
      if (w) void w.terminate();
    },
  };
}
