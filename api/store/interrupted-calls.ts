/**
 * ModelCall rows left `processing` by a process that stopped mid-call (crash, SIGKILL).
 *
 * A hub that is alone on its database (always so on SQLite) closes all of them at start. On
 * PostgreSQL with other instances running, a `processing` row may be another instance's live
 * stream, so only rows untouched for longer than any call can last are closed, at start and then
 * periodically. (Should a live call be closed by mistake, its own settlement overwrites the row.)
 * The closed rows are handed to `onClosed` in the same transaction (their usage buckets).
 */
import { QueryTypes, type InferAttributes, type Transaction } from 'sequelize';
import type { Logger } from '../lib/logger.js';
import type { ModelCall } from './models/model-call.js';
import type { Models } from './models/index.js';
import { writeTransaction } from './write-transaction.js';

export type ClosedCalls = (rows: InferAttributes<ModelCall>[], transaction: Transaction) => Promise<void>;

export interface ReconcileOptions {
  /** No other hub process is running on this database. */
  alone: boolean;
  /** Age after which a `processing` row cannot belong to a live call. */
  staleAfterMs: number;
  now?: Date;
  onClosed?: ClosedCalls;
}

export async function reconcileInterruptedCalls(models: Pick<Models, 'ModelCall'>, logger: Logger, options: ReconcileOptions): Promise<number> {
  const sequelize = models.ModelCall.sequelize!;
  const now = options.now ?? new Date();
  const count = await writeTransaction(sequelize, async (t) => {
    const rows = await sequelize.query<InferAttributes<ModelCall>>(
      `UPDATE model_calls SET "status" = 'failed', "errorReason" = :reason, "errorCode" = 'interrupted', "updatedAt" = :now
       WHERE "status" = 'processing'${options.alone ? '' : ' AND "updatedAt" < :staleBefore'} RETURNING *`,
      {
        replacements: { reason: 'The hub stopped before the call finished', now, staleBefore: new Date(now.getTime() - options.staleAfterMs) },
        type: QueryTypes.SELECT,
        transaction: t,
      },
    );
    if (rows.length && options.onClosed) await options.onClosed(rows, t);
    return rows.length;
  });
  if (count) logger.warn('closed calls interrupted by a previous stop', { count });
  return count;
}

/** Periodic sweep for instances sharing a database; returns a stop function. */
export function sweepInterruptedCalls(models: Pick<Models, 'ModelCall'>, logger: Logger, staleAfterMs: number, everyMs = 5 * 60_000, onClosed?: ClosedCalls): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileInterruptedCalls(models, logger, { alone: false, staleAfterMs, onClosed })
      .catch((err) => logger.warn('closing interrupted calls failed', { err }))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
