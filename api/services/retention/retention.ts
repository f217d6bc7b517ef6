/**
 * Retention: deletes ModelCall rows older than MODEL_CALL_RETENTION_DAYS and Usage rows older than
 * USAGE_RETENTION_DAYS (0 keeps them forever), in small batches with a pause between, so requests
 * never wait behind one long delete: a batch that held the write queue longer than `batchTargetMs`
 * makes the next one half the size (a quick one lets it grow back), so a slow disk or a busy CPU
 * does not make calls wait longer. With RETENTION_ARCHIVE the rows are first appended to
 * `<dataDir>/archive/<table>-<time>.jsonl.gz`. Usage rows still owed to an outside meter
 * (`reportedCreditsNano < creditsNano`) are kept.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Op, Sequelize, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { pruneUsageRollups } from '../usage/prune-rollups.js';
import { openJsonlArchive, type JsonlArchive } from './archive.js';

const DAY_MS = 86_400_000;

export interface ExtraPruner {
  name: string;
  /** Deletes what is older than `before`; resolves to how much went. */
  prune(before: Date, signal: AbortSignal): Promise<number>;
}

export interface RetentionOptions {
  models: Pick<Models, 'ModelCall' | 'Usage'>;
  logger: Logger;
  dataDir: string;
  modelCallDays: number;
  usageDays: number;
  archive: boolean;
  /** Rows per delete statement, at most. */
  batchSize?: number;
  /** How long one delete may hold the write queue (calls' writes wait behind it). */
  batchTargetMs?: number;
  /** Pause between two batches. */
  pauseMs?: number;
  /** Stores kept as long as ModelCall rows (the local span store). */
  alsoPrune?: ExtraPruner[];
}

export interface TableResult {
  cutoff: Date;
  deleted: number;
  batches: number;
  /** The longest a delete held the write queue. */
  longestBatchMs: number;
  archive?: string;
}

export interface RetentionResult {
  modelCalls?: TableResult;
  usages?: TableResult;
  extra: Record<string, number>;
}

export const retentionEnabled = (o: Pick<RetentionOptions, 'modelCallDays' | 'usageDays'>) => o.modelCallDays > 0 || o.usageDays > 0;

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

interface PurgeSpec {
  model: ModelStatic<Model>;
  dateField: string;
  where: WhereOptions;
  archive?: JsonlArchive;
  batchSize: number;
  batchTargetMs: number;
  pauseMs: number;
  signal: AbortSignal;
}

const MIN_BATCH = 20;

async function purge(spec: PurgeSpec): Promise<Pick<TableResult, 'deleted' | 'batches' | 'longestBatchMs'>> {
  let deleted = 0;
  let batches = 0;
  let longestBatchMs = 0;
  let size = spec.batchSize;
  for (;;) {
    if (spec.signal.aborted) break;
    // In the date index's order (no sort of every old row per batch); without an archive only the
    // ids, as plain rows (no model instance per row on the event loop).
    const rows = spec.archive
      ? (await spec.model.findAll({ where: spec.where, order: [[spec.dateField, 'ASC']], limit: size })).map((r) => r.get({ plain: true }) as Record<string, unknown>)
      : ((await spec.model.findAll({ where: spec.where, attributes: ['id'], order: [[spec.dateField, 'ASC']], limit: size, raw: true })) as unknown as Record<string, unknown>[]);
    if (!rows.length) break;
    if (spec.archive) await spec.archive.append(rows);
    // In the write queue (store/write-transaction.ts): on SQLite a delete outside it would hold the
    // write lock while credit reservations wait in SQLite's busy handler, which sleeps in steps.
    const ids = rows.map((r) => r.id as string);
    let began = 0;
    deleted += await writeTransaction(spec.model.sequelize!, (transaction) => {
      began = performance.now();
      return spec.model.destroy({ where: { id: ids }, transaction });
    });
    const held = performance.now() - began;
    batches += 1;
    longestBatchMs = Math.max(longestBatchMs, Math.round(held));
    if (rows.length < size) break;
    if (held > spec.batchTargetMs) size = Math.max(Math.min(MIN_BATCH, spec.batchSize), Math.floor(size / 2));
    else if (held < spec.batchTargetMs / 2) size = Math.min(spec.batchSize, size * 2);
    await sleep(spec.pauseMs, undefined, { signal: spec.signal }).catch(() => {});
  }
  return { deleted, batches, longestBatchMs };
}

/** One retention pass. `now` and `signal` are for tests and for stopping at shutdown. */
export async function runRetention(options: RetentionOptions, now = new Date(), signal: AbortSignal = new AbortController().signal): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? 1000;
  const batchTargetMs = options.batchTargetMs ?? 20;
  const pauseMs = options.pauseMs ?? 200;
  const archiveDir = path.join(options.dataDir, 'archive');
  const result: RetentionResult = { extra: {} };

  const table = async (name: string, model: ModelStatic<Model>, dateField: string, days: number, extra?: WhereOptions): Promise<TableResult> => {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const archive = options.archive ? openJsonlArchive(path.join(archiveDir, `${name}-${stamp(now)}.jsonl.gz`)) : undefined;
    const where: WhereOptions = extra ? { [Op.and]: [{ [dateField]: { [Op.lt]: cutoff } }, extra] } : { [dateField]: { [Op.lt]: cutoff } };
    try {
      const done = await purge({ model, dateField, where, archive, batchSize, batchTargetMs, pauseMs, signal });
      return { cutoff, ...done, archive: await archive?.close() };
    } catch (err) {
      await archive?.close().catch(() => {});
      throw err;
    }
  };

  if (options.modelCallDays > 0) {
    result.modelCalls = await table('model_calls', options.models.ModelCall as unknown as ModelStatic<Model>, 'createdAt', options.modelCallDays);
    const before = result.modelCalls.cutoff;
    for (const p of options.alsoPrune ?? []) {
      try {
        result.extra[p.name] = await p.prune(before, signal);
      } catch (err) {
        options.logger.warn('retention: pruning failed', { err, store: p.name });
      }
    }
  }
  if (options.usageDays > 0) {
    const owed = Sequelize.where(Sequelize.col('reportedCreditsNano'), { [Op.gte]: Sequelize.col('creditsNano') });
    result.usages = await table('usages', options.models.Usage as unknown as ModelStatic<Model>, 'periodStart', options.usageDays, owed);
    result.extra.usageRollups = await pruneUsageRollups(options.models.Usage.sequelize!, result.usages.cutoff, signal, pauseMs);
  }
  return result;
}

export interface RetentionJob {
  /** Runs a pass now (or joins the one running). */
  runNow(): Promise<RetentionResult>;
  stop(): Promise<void>;
}

export interface RetentionSchedule {
  firstRunMs?: number;
  everyMs?: number;
}

/** Runs `runRetention` shortly after start and then every day; timers never keep the process up. */
export function startRetentionJob(options: RetentionOptions, schedule: RetentionSchedule = {}): RetentionJob {
  const controller = new AbortController();
  let running: Promise<RetentionResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const everyMs = schedule.everyMs ?? DAY_MS;

  const runNow = () => {
    if (!running) options.logger.info('retention pass started', { modelCallDays: options.modelCallDays, usageDays: options.usageDays });
    running ??= runRetention(options, new Date(), controller.signal)
      .then((r) => {
        const summary = {
          modelCalls: r.modelCalls?.deleted,
          usages: r.usages?.deleted,
          longestBatchMs: Math.max(r.modelCalls?.longestBatchMs ?? 0, r.usages?.longestBatchMs ?? 0),
          ...r.extra,
          archives: [r.modelCalls?.archive, r.usages?.archive].filter(Boolean),
        };
        options.logger.info('retention pass done', summary);
        return r;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const arm = (ms: number) => {
    if (controller.signal.aborted) return;
    timer = setTimeout(() => {
      runNow()
        .catch((err) => options.logger.error('retention pass failed', { err }))
        .finally(() => arm(everyMs));
    }, ms);
    timer.unref();
  };
  arm(schedule.firstRunMs ?? 60_000);

  return {
    runNow,
    async stop() {
      controller.abort();
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
