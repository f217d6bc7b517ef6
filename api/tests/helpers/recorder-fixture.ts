/**
 * A call recorder with the flush hooks the hub gives it (the credit ledger's charges, the usage
 * buckets) on a real SQLite file, for the recorder's tests: calls reserved and settled through the
 * real ledger, and what the batches wrote read back as exact rows.
 */
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createLogger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { modelCallRowOf } from './model-call-row.js';
import { createLedgerBilling } from '../../services/billing/ledger.js';
import { openCallJournal, type CallJournal } from '../../services/recording/call-journal.js';
import { createCallRecorder, type CallRecorderOptions, type FlushHook } from '../../services/recording/call-recorder.js';
import { createUsageAggregator } from '../../services/recording/usage-aggregator.js';

export const CREATED = new Date('2026-11-27T10:05:00.000Z');

export const finalRow = (id: string, patch: Partial<ModelCallRow> = {}): ModelCallRow =>
  modelCallRowOf(id, { status: 'success', stream: false, inputTokens: 2, outputTokens: 3, duration: 10, userDid: 'u1', createdAt: CREATED, ...patch });

/** A hook that keeps the ids of each batch it is given, and of what it is told was dropped. */
export function watchingHook(name = 'watch'): FlushHook & { batches: string[][]; lost: string[][] } {
  const batches: string[][] = [];
  const lost: string[][] = [];
  return {
    name,
    batches,
    lost,
    write: async (rows) => void batches.push(rows.map((r) => r.id)),
    dropped: (rows) => void lost.push(rows.map((r) => r.id)),
  };
}

/** The ledger and usage hooks on a recorder (a fresh one per "process"), with the log lines kept. */
export function hubRecorder(store: { dir: string; sequelize: Sequelize; models: Models }, options: CallRecorderOptions & { journaled?: boolean } = {}) {
  const { sequelize, models } = store;
  const logs: { level: string; msg: string; [k: string]: unknown }[] = [];
  const logger = createLogger({ level: 'info', write: (line) => void logs.push(JSON.parse(line)) });
  const journal: CallJournal | undefined = options.journaled ? openCallJournal({ dir: path.join(store.dir, 'journal') }) : undefined;
  const ledger = createLedgerBilling({ sequelize, models, logger, enabled: true, reservationTtlMs: 3_600_000, topUpLink: 'https://pay.example.com' });
  const recorder = createCallRecorder(models, logger, { ...options, journal });
  recorder.onFlush(ledger.flushHook);
  recorder.onFlush(createUsageAggregator(sequelize, () => 0));

  /** Reserves for a call and settles it at `creditsNano`, as the gateway does before recording it. */
  const settle = async (row: ModelCallRow) => {
    const record = { id: row.id, userDid: row.userDid, creditsNano: row.creditsNano, model: row.model } as never;
    const reservation = await ledger.reserve({ record, candidates: [], maxCostNano: Math.max(1, row.creditsNano) });
    await ledger.settle(record, reservation);
    return row;
  };
  return { recorder, ledger, journal, logs, settle };
}

/** What the batches wrote: the call rows, the ledger's charges, the usage buckets. */
export function written(sequelize: Sequelize) {
  const select = <T extends object>(sql: string) => sequelize.query<T>(sql, { type: QueryTypes.SELECT });
  return {
    calls: async () => (await select<{ id: string; status: string }>('SELECT "id", "status" FROM model_calls ORDER BY "id"')).map((r) => `${r.id}:${r.status}`),
    charges: async () =>
      (await select<{ modelCallId: string; amountNano: number; balanceAfterNano: number }>(
        `SELECT "modelCallId", "amountNano", "balanceAfterNano" FROM credit_transactions WHERE "type" = 'charge' ORDER BY "balanceAfterNano" DESC, "modelCallId"`,
      )).map((r) => [r.modelCallId, Number(r.amountNano), Number(r.balanceAfterNano)]),
    buckets: async () =>
      (await select<{ userDid: string; calls: number; inputTokens: number; creditsNano: number }>('SELECT "userDid", "calls", "inputTokens", "creditsNano" FROM usages ORDER BY "userDid"')).map(
        (r) => [r.userDid, Number(r.calls), Number(r.inputTokens), Number(r.creditsNano)],
      ),
  };
}

/** Polls `condition` in real time (fake timers aside) until it holds, or fails after 5 s. */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const end = performance.now() + 5000;
  while (!(await condition())) {
    if (performance.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setImmediate(r));
  }
}
