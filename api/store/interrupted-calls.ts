/**
 * ModelCall rows left `processing` by a process that stopped mid-call (crash, SIGKILL).
 *
 * A hub that is alone on its database (always so on SQLite) closes all of them at start. On
 * PostgreSQL with other instances running, a `processing` row may be another instance's live
 * stream, so only rows untouched for longer than any call can last are closed, at start and then
 * periodically. (Should a live call be closed by mistake, its own settlement overwrites the row.)
 */
import { Op } from 'sequelize';
import type { Logger } from '../lib/logger.js';
import type { Models } from './models/index.js';

export interface ReconcileOptions {
  /** No other hub process is running on this database. */
  alone: boolean;
  /** Age after which a `processing` row cannot belong to a live call. */
  staleAfterMs: number;
  now?: Date;
}

export async function reconcileInterruptedCalls(models: Pick<Models, 'ModelCall'>, logger: Logger, options: ReconcileOptions): Promise<number> {
  const now = options.now ?? new Date();
  const where = options.alone
    ? { status: 'processing' as const }
    : { status: 'processing' as const, updatedAt: { [Op.lt]: new Date(now.getTime() - options.staleAfterMs) } };
  const [count] = await models.ModelCall.update(
    { status: 'failed', errorReason: 'The hub stopped before the call finished', errorCode: 'interrupted' },
    { where },
  );
  if (count) logger.warn('closed calls interrupted by a previous stop', { count });
  return count;
}

/** Periodic sweep for instances sharing a database; returns a stop function. */
export function sweepInterruptedCalls(models: Pick<Models, 'ModelCall'>, logger: Logger, staleAfterMs: number, everyMs = 5 * 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileInterruptedCalls(models, logger, { alone: false, staleAfterMs })
      .catch((err) => logger.warn('closing interrupted calls failed', { err }))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
