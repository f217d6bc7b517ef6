/**
 * One way to open a write transaction on either database.
 *
 * SQLite has one writer at a time, and node-sqlite3 runs statements on the small libuv thread pool:
 * many transactions waiting on the write lock in their busy handlers can occupy every thread and
 * starve the one holding it. Write transactions on one SQLite database therefore queue in-process
 * and take the lock up front (IMMEDIATE). On PostgreSQL they run concurrently; row locks order them.
 */
import { Transaction, type Sequelize, type TransactionOptions } from 'sequelize';

const sqliteWriteQueues = new WeakMap<Sequelize, { tail: Promise<unknown> }>();

function queued<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
  let queue = sqliteWriteQueues.get(sequelize);
  if (!queue) sqliteWriteQueues.set(sequelize, (queue = { tail: Promise.resolve() }));
  const run = queue.tail.then(fn, fn);
  queue.tail = run.catch(() => undefined);
  return run;
}

/** Registers work to run once the transaction has committed (never when it rolls back). */
export type AfterCommit = (effect: () => void) => void;

/**
 * Runs `fn` in a write transaction. Effects registered through `afterCommit` run right after a
 * successful commit — on SQLite still in the transaction's turn of the queue, so in-process state
 * that follows the database sees the commits in their order.
 */
export function writeTransaction<T>(sequelize: Sequelize, fn: (t: Transaction, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
  const run = async (options: TransactionOptions) => {
    const effects: (() => void)[] = [];
    const result = await sequelize.transaction(options, (t) => fn(t, (effect) => effects.push(effect)));
    for (const effect of effects) effect();
    return result;
  };
  if (sequelize.getDialect() === 'postgres') return run({});
  return queued(sequelize, () => run({ type: Transaction.TYPES.IMMEDIATE }));
}
