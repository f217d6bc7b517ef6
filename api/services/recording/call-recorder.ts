/**
 * Writes ModelCall rows in batches, off the path to the first byte. `commit(row)` resolves once the
 * row is durable (group commit: many calls share one transaction), so a route can await it before
 * its response's last byte. `enqueue(row)` writes without waiting (progress rows).
 *
 * A batch is one write transaction: the rows, and what the flush hooks write for them (credit
 * charges, usage buckets), commit together or not at all. A failed batch is tried again a few
 * times, then its waiters are told.
 *
 * With a journal (call-journal.ts), `commit(row)` appends the final row and its hooks' data to it
 * and resolves at once: the row is as durable as a commit, and the batch follows. Calls settled in
 * the same turn of the event loop while others are open (`commit(row, true)`) share one write to
 * it at the turn's end, before any of them is answered. `recover()` at
 * start writes what an earlier run journaled but did not commit. `settled()` waits for what was
 * recorded until now to be in the database (reads that must see a caller's own last calls).
 */
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { writeTransaction, type AfterCommit } from '../../store/write-transaction.js';
import type { CallJournal, JournalEntry, JournalLine } from './call-journal.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { createModelCallUpsert } from './model-call-upsert.js';
import { journalLine } from './journal-line.js';
import { turnEnd } from '../../lib/turn-end.js';

/** Work in the transaction of a batch, given the batch's final rows (not 'processing'). */
export interface FlushHook {
  /** Names the hook's data in journal entries. */
  readonly name: string;
  write(rows: ModelCallRow[], transaction: Transaction, afterCommit: AfterCommit): Promise<void>;
  /** The batch could not be written after its retries (journaled rows are written again at the next start). */
  dropped?(rows: ModelCallRow[]): void;
  /** What `write` will need for this row, kept in the journal with it. */
  journal?(row: ModelCallRow): unknown;
  /** Puts back what `journal` gave, before a journaled row is written again. */
  restore?(row: ModelCallRow, data: unknown): void;
}

export interface CallRecorder {
  enqueue(row: ModelCallRow): void;
  /**
   * Resolves once the row is durable (journaled, else committed). With `atTurnEnd`, not before the
   * end of this turn of the event loop: the rows of the calls settled in it are journaled with one
   * write there, before any of them is answered.
   */
  commit(row: ModelCallRow, atTurnEnd?: boolean): Promise<void>;
  flush(): Promise<void>;
  /** Resolves once everything recorded before the call is written (or given up). */
  settled(): Promise<void>;
  /** At start: writes the journaled rows an earlier run did not commit; returns how many. */
  recover(): Promise<number>;
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
  journal?: CallJournal;
  /**
   * How long journaled rows may wait to be batched (nobody waits for them). Rows with a waiter
   * are written at the next turn of the event loop.
   */
  commitWindowMs?: number;
}

export function createCallRecorder(models: Models, logger: Logger, options: CallRecorderOptions = {}): CallRecorder {
  const maxBatch = options.maxBatch ?? 500;
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 50;
  const journal = options.journal;
  const commitWindowMs = options.commitWindowMs ?? 20;
  let journalBroken = false;
  const sequelize = models.ModelCall.sequelize as Sequelize;
  /** Rows to write, by id; most have nobody waiting (journaled), so their lists are made on demand. */
  let queue = new Map<string, { row: ModelCallRow; waiters: (() => void)[] | null; failures: ((e: unknown) => void)[] | null }>();
  let scheduled: 'no' | 'soon' | 'now' = 'no';
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  /** The window ended (or a waiter came) while a batch was being written. */
  let startWhenDone = false;
  /** Something waits for the queue being filled (a caller of commit() or settled()). */
  let urgent = false;
  /** Told when the queue being filled has been written, and when the batch being written has. */
  let queueBarriers: (() => void)[] = [];
  let batchBarriers: (() => void)[] | null = null;
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
        journal?.committed(final.map((r) => r.id));
        for (const e of batch.values()) if (e.waiters) for (const w of e.waiters) w();
        return;
      } catch (err) {
        failure = err;
        logger.error('writing model call records failed', { err, rows: rows.length, attempt });
        if (attempt < attempts) await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
      }
    }
    for (const hook of hooks) hook.dropped?.(final);
    for (const e of batch.values()) if (e.failures) for (const f of e.failures) f(failure);
  };

  /** Writes the queue as one batch; `running` is set while it does. */
  const drain = async () => {
    const batch = queue;
    const barriers = (batchBarriers = queueBarriers);
    queue = new Map();
    queueBarriers = [];
    urgent = false;
    await writeBatch(batch);
    batchBarriers = null;
    for (const b of barriers) b();
  };

  /**
   * Starts a batch now, or right after the one being written. Rows that come in while a batch is
   * written wait for their own window (or a waiter) instead of following at once: under light load
   * that is what keeps batches from shrinking to a call or two, each with a transaction of its own.
   */
  const start = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    scheduled = 'no';
    if (!queue.size) return;
    if (running) {
      startWhenDone = true;
      return;
    }
    running = drain().finally(() => {
      running = null;
      if (startWhenDone) {
        startWhenDone = false;
        start();
      } else if (queue.size) schedule(urgent);
    });
  };

  const schedule = (now: boolean) => {
    if (now) urgent = true;
    if (now || commitWindowMs <= 0) {
      if (scheduled === 'now') return;
      if (timer) clearTimeout(timer);
      timer = null;
      scheduled = 'now';
      setImmediate(start);
    } else if (scheduled === 'no') {
      scheduled = 'soon';
      timer = setTimeout(start, commitWindowMs);
    }
  };

  const put = (row: ModelCallRow, waiter?: () => void, failure?: (e: unknown) => void) => {
    const existing = queue.get(row.id);
    // Callers hand over rows of their own (made for the call): kept as they are, not copied.
    const entry = existing ?? { row, waiters: null, failures: null };
    entry.row = row;
    if (waiter) (entry.waiters ??= []).push(waiter);
    if (failure) (entry.failures ??= []).push(failure);
    queue.set(row.id, entry);
    schedule(Boolean(waiter));
  };

  /** The row's journal entry as its line, or undefined when the row is not journaled. */
  const lineOf = (row: ModelCallRow): string | undefined => {
    if (!journal || journalBroken || row.status === 'processing') return undefined;
    let data: Record<string, unknown> | undefined;
    for (const hook of hooks) {
      const d = hook.journal?.(row);
      if (d !== undefined) (data ??= {})[hook.name] = d;
    }
    return journalLine(row, data);
  };

  const journalFailed = (err: unknown) => {
    journalBroken = true;
    logger.error('the call journal cannot be written; calls now wait for the database', { err });
  };

  /** Waits for the row's batch to commit. */
  const written = (row: ModelCallRow) => new Promise<void>((resolve, reject) => put(row, resolve, reject));

  /**
   * Rows settled in this turn of the event loop whose lines go to the journal with one write at its
   * end, before their callers answer (`commit(row, true)`).
   */
  let turnLines: (JournalLine & { row: ModelCallRow })[] = [];
  let turnWrite: Promise<boolean> | null = null;
  const writeTurnLines = (): boolean => {
    const lines = turnLines;
    turnLines = [];
    turnWrite = null;
    if (journalBroken) return false;
    try {
      journal!.appendAll(lines);
    } catch (err) {
      journalFailed(err);
      return false;
    }
    for (const l of lines) put(l.row);
    return true;
  };

  const DATE_FIELDS = ['createdAt', 'updatedAt'] as const;

  return {
    enqueue: (row) => put(row),
    commit(row, atTurnEnd = false) {
      let line: string | undefined;
      try {
        line = lineOf(row);
      } catch (err) {
        journalFailed(err);
      }
      if (line === undefined) return atTurnEnd ? written(row).then(turnEnd) : written(row);
      if (atTurnEnd) {
        turnLines.push({ id: row.id, line, row });
        turnWrite ??= turnEnd().then(writeTurnLines);
        return turnWrite.then((ok) => (ok ? undefined : written(row)));
      }
      try {
        journal!.append(row.id, line);
      } catch (err) {
        journalFailed(err);
        return written(row);
      }
      put(row);
      return Promise.resolve();
    },
    settled() {
      if (queue.size) {
        schedule(true);
        return new Promise<void>((resolve) => queueBarriers.push(resolve));
      }
      if (batchBarriers) return new Promise<void>((resolve) => batchBarriers!.push(resolve));
      return Promise.resolve();
    },
    async recover() {
      if (!journal) return 0;
      const { files, entries } = journal.leftovers();
      const ids = entries.map((e) => (e.row as ModelCallRow).id);
      const done = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await models.ModelCall.findAll({ attributes: ['id'], where: { id: ids.slice(i, i + 500), status: { [Op.ne]: 'processing' } }, raw: true });
        for (const r of rows) done.add(r.id);
      }
      const again = (entries as JournalEntry<ModelCallRow>[]).filter((e) => !done.has(e.row.id));
      const writes = again.map((e) => {
        const row = e.row;
        // Epoch milliseconds (journal-line.ts), or ISO text in lines of older runs.
        for (const f of DATE_FIELDS) if (typeof row[f] === 'string' || typeof row[f] === 'number') row[f] = new Date(row[f] as unknown as string | number);
        for (const hook of hooks) if (e.hooks && hook.name in e.hooks) hook.restore?.(row, e.hooks[hook.name]);
        return new Promise<void>((resolve, reject) => put(row, resolve, reject));
      });
      await Promise.all(writes);
      journal.discard(files);
      if (again.length) logger.warn('wrote calls journaled by a previous run', { count: again.length });
      return again.length;
    },
    async flush() {
      // Rows waiting for this turn's journal write join the queue when it is made.
      if (turnWrite) await turnWrite;
      while (queue.size || running || scheduled !== 'no') {
        if (scheduled !== 'no' || (!running && queue.size)) start();
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
