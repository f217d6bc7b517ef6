/**
 * Writes ModelCall rows in batches, off the path to the first byte. `commit(row)` resolves once the
 * row is durable (group commit: many calls share one transaction), so a route can await it before
 * its response's last byte. `enqueue(row)` writes without waiting (progress rows).
 */
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import type { InferCreationAttributes } from 'sequelize';
import type { ModelCall } from '../store/models/model-call.js';
import { createModelCallUpsert } from './model-call-upsert.js';

export type ModelCallRow = Omit<InferCreationAttributes<ModelCall>, 'createdAt' | 'updatedAt'> & { createdAt?: Date; updatedAt?: Date };

type AfterFlush = (rows: ModelCallRow[]) => Promise<void>;

export interface CallRecorder {
  enqueue(row: ModelCallRow): void;
  commit(row: ModelCallRow): Promise<void>;
  flush(): Promise<void>;
  /** Extra work in the same flush (usage aggregation), given the final rows of the batch. */
  onFlush(fn: AfterFlush): void;
  readonly pending: number;
}

const UPDATABLE: (keyof ModelCallRow)[] = [
  'traceId', 'providerId', 'credentialId', 'status', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens',
  'creditsNano', 'usageEstimated', 'attempts', 'duration', 'ttfb', 'providerTtfb', 'errorReason', 'errorCode', 'updatedAt',
];

export function createCallRecorder(models: Models, logger: Logger, options: { maxBatch?: number } = {}): CallRecorder {
  const maxBatch = options.maxBatch ?? 500;
  let queue = new Map<string, { row: ModelCallRow; waiters: (() => void)[]; failures: ((e: unknown) => void)[] }>();
  let scheduled = false;
  let running: Promise<void> | null = null;
  const afterFlush: AfterFlush[] = [];
  const upsert = createModelCallUpsert(models, UPDATABLE);

  const writeBatch = async (batch: typeof queue) => {
    const rows = [...batch.values()].map((e) => e.row);
    const now = new Date();
    for (const row of rows) {
      row.createdAt ??= now;
      row.updatedAt = now;
    }
    try {
      for (let i = 0; i < rows.length; i += maxBatch) {
        const slice = rows.slice(i, i + maxBatch);
        await upsert(slice);
        const final = slice.filter((r) => r.status !== 'processing');
        for (const fn of afterFlush) if (final.length) await fn(final);
      }
      for (const e of batch.values()) for (const w of e.waiters) w();
    } catch (err) {
      logger.error('writing model call records failed', { err, rows: rows.length });
      for (const e of batch.values()) for (const f of e.failures) f(err);
    }
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
    onFlush(fn) {
      afterFlush.push(fn);
    },
    get pending() {
      return queue.size;
    },
  };
}
