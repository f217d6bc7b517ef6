/**
 * Back-fill after the upgrade that added errors and duration histograms to the hourly buckets: the
 * call rows that were final before it (last written before `backfillUntil`) add their failures and
 * durations to their buckets, a batch at a time in time order. Their calls, tokens and credits are
 * in the buckets already, except for calls closed as interrupted at a start (those were never
 * bucketed, and now are, with nothing left to report to a meter). Calls written since the upgrade
 * were bucketed whole by the recorder and are left alone.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { bucketsOf, upsertUsage, type UsageBucket } from '../recording/usage-aggregator.js';
import { mergeBins } from './duration-histogram.js';

const COLUMNS = `"id", "userDid", "appId", "model", "providerId", "type", "status", "inputTokens", "outputTokens", "creditsNano", "duration", "errorCode", "createdAt"`;

type CallRow = ModelCallRow & { createdAt: Date | string };

const time = (v: Date | string) => new Date(v).getTime();

/** One bucket per id: a statement may not update the same row twice. */
function byId(buckets: UsageBucket[]): UsageBucket[] {
  const out = new Map<string, UsageBucket>();
  for (const b of buckets) {
    const o = out.get(b.id);
    if (!o) {
      out.set(b.id, b);
      continue;
    }
    o.calls += b.calls;
    o.errors += b.errors;
    o.inputTokens += b.inputTokens;
    o.outputTokens += b.outputTokens;
    o.creditsNano += b.creditsNano;
    o.reportedCreditsNano += b.reportedCreditsNano;
    mergeBins(o.durations, b.durations);
  }
  return [...out.values()];
}

/** What these rows add to their buckets that the buckets do not hold yet. */
export function backfillBuckets(rows: ModelCallRow[]): UsageBucket[] {
  const interrupted = rows.filter((r) => r.errorCode === 'interrupted');
  const bucketed = rows.filter((r) => r.errorCode !== 'interrupted');
  // With nothing reportable, all of a bucket's credits count as reported.
  const whole = bucketsOf(interrupted, () => 0);
  const partial = bucketsOf(bucketed, () => 0).map((b) => ({ ...b, calls: 0, inputTokens: 0, outputTokens: 0, creditsNano: 0, reportedCreditsNano: 0 }));
  return byId([...whole, ...partial]);
}

/**
 * Back-fills the next batch of call rows from `from` on (created before `until`); returns where the
 * next batch starts, `until` once everything is done.
 */
export async function backfillBatch(sequelize: Sequelize, from: number, until: number, limit: number, t: Transaction): Promise<{ next: number; rows: number }> {
  const select = (where: string, extra: Record<string, unknown>, tail = '') =>
    sequelize.query<CallRow>(`SELECT ${COLUMNS} FROM model_calls WHERE ${where} AND "status" <> 'processing' AND "updatedAt" < :until ${tail}`, {
      replacements: { until: new Date(until), ...extra },
      type: QueryTypes.SELECT,
      transaction: t,
    });
  let rows = await select(`"createdAt" >= :from AND "createdAt" < :until`, { from: new Date(from) }, `ORDER BY "createdAt" LIMIT ${limit}`);
  let next = until;
  if (rows.length === limit) {
    // Up to the last row's moment, which the next batch starts at (its rows may go on past the limit).
    const last = time(rows.at(-1)!.createdAt);
    const before = rows.filter((r) => time(r.createdAt) < last);
    if (before.length) {
      rows = before;
      next = last;
    } else {
      rows = await select(`"createdAt" = :at`, { at: new Date(last) });
      next = last + 1;
    }
  }
  const buckets = backfillBuckets(rows);
  for (let i = 0; i < buckets.length; i += 200) await upsertUsage(sequelize, buckets.slice(i, i + 200), t);
  return { next, rows: rows.length };
}
