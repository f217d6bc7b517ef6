/**
 * Folds settled ModelCall rows into hourly `usages` buckets (per user, app, model, provider and
 * type) with one upsert that increments, run by the call recorder in the flush that wrote the rows.
 * The bucket id is derived from its key, so every instance and every flush hits the same row.
 */
import { sha256 } from '../../lib/crypto.js';
import type { Sequelize, Transaction } from 'sequelize';
import type { ModelCallRow } from '../../store/models/model-call.js';
import type { FlushHook } from './call-recorder.js';

const HOUR_MS = 3_600_000;

export interface UsageBucket {
  id: string;
  periodStart: Date;
  userDid: string;
  appId: string;
  model: string;
  providerId: string;
  type: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  creditsNano: number;
  /** Credits that need no report to an outside meter (already final where they are). */
  reportedCreditsNano: number;
}

export function usageBucketId(periodStart: Date, userDid: string, appId: string, model: string, providerId: string, type: string): string {
  return sha256(JSON.stringify([periodStart.toISOString(), userDid, appId, model, providerId, type])).slice(0, 40);
}

export function bucketsOf(rows: ModelCallRow[], reportableNano: (row: ModelCallRow) => number): UsageBucket[] {
  // By the bucket's key as plain text: its id (a hash) is computed once per bucket, not per row.
  const buckets = new Map<string, UsageBucket>();
  for (const row of rows) {
    if (row.status === 'processing') continue;
    const created = row.createdAt ? new Date(row.createdAt).getTime() : Date.now();
    const hour = Math.floor(created / HOUR_MS) * HOUR_MS;
    const userDid = row.userDid ?? '';
    const appId = row.appId ?? '';
    const providerId = row.providerId ?? '';
    const key = JSON.stringify([hour, userDid, appId, row.model, providerId, row.type]);
    let b = buckets.get(key);
    if (!b) {
      const periodStart = new Date(hour);
      b = {
        id: usageBucketId(periodStart, userDid, appId, row.model, providerId, row.type),
        periodStart,
        userDid,
        appId,
        model: row.model,
        providerId,
        type: row.type,
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        creditsNano: 0,
        reportedCreditsNano: 0,
      };
      buckets.set(key, b);
    }
    const credits = row.creditsNano ?? 0;
    b.calls += 1;
    b.inputTokens += row.inputTokens ?? 0;
    b.outputTokens += row.outputTokens ?? 0;
    b.creditsNano += credits;
    b.reportedCreditsNano += credits - Math.min(credits, Math.max(0, reportableNano(row)));
  }
  return [...buckets.values()];
}

async function upsertUsage(sequelize: Sequelize, unordered: UsageBucket[], transaction?: Transaction): Promise<void> {
  if (!unordered.length) return;
  // Rows are locked in VALUES order: one order for every writer, or two instances' upserts of the
  // same buckets deadlock on PostgreSQL.
  const buckets = [...unordered].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const now = new Date();
  const replacements: Record<string, unknown> = { now };
  const values = buckets.map((b, i) => {
    for (const [k, v] of Object.entries(b)) replacements[`${k}${i}`] = v;
    return `(:id${i}, :periodStart${i}, :userDid${i}, :appId${i}, :model${i}, :providerId${i}, :type${i}, :calls${i}, :inputTokens${i}, :outputTokens${i}, :creditsNano${i}, :reportedCreditsNano${i}, :now, :now)`;
  });
  await sequelize.query(
    `INSERT INTO usages ("id", "periodStart", "userDid", "appId", "model", "providerId", "type", "calls", "inputTokens", "outputTokens", "creditsNano", "reportedCreditsNano", "createdAt", "updatedAt")
     VALUES ${values.join(', ')}
     ON CONFLICT ("id") DO UPDATE SET
       "calls" = usages."calls" + excluded."calls",
       "inputTokens" = usages."inputTokens" + excluded."inputTokens",
       "outputTokens" = usages."outputTokens" + excluded."outputTokens",
       "creditsNano" = usages."creditsNano" + excluded."creditsNano",
       "reportedCreditsNano" = usages."reportedCreditsNano" + excluded."reportedCreditsNano",
       "updatedAt" = excluded."updatedAt"`,
    { replacements, transaction },
  );
}

/** The recorder's flush hook: the buckets change in the transaction that writes the rows. */
export function createUsageAggregator(sequelize: Sequelize, reportableNano: (row: ModelCallRow) => number): FlushHook {
  return {
    name: 'usage',
    async write(rows, t) {
      const buckets = bucketsOf(rows, reportableNano);
      for (let i = 0; i < buckets.length; i += 200) await upsertUsage(sequelize, buckets.slice(i, i + 200), t);
    },
  };
}
