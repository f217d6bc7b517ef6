/**
 * Writes ModelCall rows in batches, off the path to the first byte. `commit(row)` resolves once the
 * row is durable (group commit: many calls share one transaction), so a route can await it before
 * its response's last byte. `enqueue(row)` writes without waiting (progress rows).
 *
 * A batch is one write transaction: the rows, and what the flush hooks write for them (credit
 * charges, usage buckets), commit together or not at all. A failed batch is tried again a few
 * times, then its waiters are told.
 */
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import type { InferCreationAttributes, Sequelize, Transaction } from 'sequelize';
import { writeTransaction, type AfterCommit } from '../store/write-transaction.js';
import type { ModelCall } from '../store/models/model-call.js';
import { createModelCallUpsert } from './model-call-upsert.js';

export type ModelCallRow = Omit<InferCreationAttributes<ModelCall>, 'createdAt' | 'updatedAt'> & { createdAt?: Date; updatedAt?: Date };

/** Work in the transaction of a batch, given the batch's final rows (not 'processing'). */
export interface FlushHook {
  write(rows: ModelCallRow[], transaction: Transaction, afterCommit: AfterCommit): Promise<void>;
  /** The batch could not be written after its retries: these rows are lost. */
  dropped?(rows: ModelCallRow[]): void;
}

export interface CallRecorder {
  enqueue(row: ModelCallRow): void;
  commit(row: ModelCallRow): Promise<void>;
  flush(): Promise<void>;
  /** Extra work in the same transaction as each batch (charges, usage buckets). */
  onFlush(hook: FlushHook): void;
  readonly pending: number;
}

const UPDATABLE: (keyof ModelCallRow)[] = [
  'traceId', 'providerId', 'credentialId', 'status', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens',
  'creditsNano', 'usageEstimated', 'attempts', 'duration', 'ttfb', 'providerTtfb', 'errorReason', 'errorCode', 'updatedAt',
];

export interface CallRecorderOptions {
  maxBatch?: number;
  /** Tries of a batch before its rows are given up (waiters rejected). */
  attempts?: number;
  retryDelayMs?: number;
}

export function createCallRecorder(models: Models, logger: Logger, options: CallRecorderOptions = {}): CallRecorder {
  const maxBatch = options.maxBatch ?? 500;
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 50;
  const sequelize = models.ModelCall.sequelize as Sequelize;
  let queue = new Map<string, { row: ModelCallRow; waiters: (() => void)[]; failures: ((e: unknown) => void)[] }>();
  let scheduled = false;
  let running: Promise<void> | null = null;
  const hooks: FlushHook[] = [];
  const upsert = createModelCallUpsert(models, UPDATABLE);

  const writeBatch = async (batch: typeof queue) => {
    const rows = [...batch.values()].map((e) => e.row);
    const now = new Date();
    for (const row of rows) {
      row.createdAt ??= now;
      row.updatedAt = now;
    }
    const final = rows.filter((r) => r.status !== 'processing');
    let failure: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await writeTransaction(sequelize, async (t, afterCommit) => {
          for (let i = 0; i < rows.length; i += maxBatch) await upsert(rows.slice(i, i + maxBatch), t);
          if (final.length) for (const hook of hooks) await hook.write(final, t, afterCommit);
        });
        for (const e of batch.values()) for (const w of e.waiters) w();
        return;
      } catch (err) {
        failure = err;
        logger.error('writing model call records failed', { err, rows: rows.length, attempt });
        if (attempt < attempts) await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
      }
    }
    for (const hook of hooks) hook.dropped?.(final);
    for (const e of batch.values()) for (const f of e.failures) f(failure);
  };

  const run = async () => {
    while (queue.size) {
      const batch = queue;
      queue = new Map();
      await writeBatch(batch);
    }
    running = null;
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!running) running = run();
    });
  };

  const put = (row: ModelCallRow, waiter?: () => void, failure?: (e: unknown) => void) => {
    const existing = queue.get(row.id);
    const entry = existing ?? { row, waiters: [], failures: [] };
    entry.row = { ...row };
    if (waiter) entry.waiters.push(waiter);
    if (failure) entry.failures.push(failure);
    queue.set(row.id, entry);
    schedule();
  };

  return {
    enqueue: (row) => put(row),
    commit: (row) => new Promise<void>((resolve, reject) => put(row, resolve, reject)),
    async flush() {
      while (queue.size || running || scheduled) {
        if (!running && queue.size) running = run();
        if (running) await running;
        else await new Promise((r) => setImmediate(r));
      }
    },
    onFlush(hook) {
      hooks.push(hook);
    },
    get pending() {
      return queue.size;
    },
  };
}
