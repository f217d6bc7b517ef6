/**
 * Folds settled ModelCall rows into hourly `usages` buckets (per user, app, model, provider and
 * type) with one upsert that increments, run by the call recorder in the flush that wrote the rows.
 * The bucket id is derived from its key, so every instance and every flush hits the same row.
 * A bucket also counts its failed calls and keeps a histogram of its durations (JSON), which the
 * same upsert merges in the database. Rows that land in an hour already over mark it for the
 * usage roll-ups to redo (services/usage/).
 */
import { sha256 } from '../../lib/crypto.js';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { sqlLiteral } from '../../store/sql-literal.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import type { FlushHook } from './call-recorder.js';
import { addDuration, binsToJson, type DurationBins } from '../usage/duration-histogram.js';
import { markStaleHours } from '../usage/stale-hours.js';

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
  errors: number;
  durations: DurationBins;
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
        errors: 0,
        durations: new Map(),
      };
      buckets.set(key, b);
    }
    const credits = row.creditsNano ?? 0;
    b.calls += 1;
    if (row.status === 'failed') b.errors += 1;
    addDuration(b.durations, row.duration);
    b.inputTokens += row.inputTokens ?? 0;
    b.outputTokens += row.outputTokens ?? 0;
    b.creditsNano += credits;
    b.reportedCreditsNano += credits - Math.min(credits, Math.max(0, reportableNano(row)));
  }
  return [...buckets.values()];
}

/** The bucket's histogram merged with the incoming one, by the database (JSON on both). */
function mergedDurations(postgres: boolean): string {
  const sum = postgres
    ? `(SELECT json_object_agg(key, n)::text FROM (SELECT key, SUM(value::bigint) AS n FROM (SELECT * FROM json_each_text(usages."durations"::json) UNION ALL SELECT * FROM json_each_text(excluded."durations"::json)) x GROUP BY key) y)`
    : `(SELECT json_group_object(key, n) FROM (SELECT key, SUM(value) AS n FROM (SELECT key, value FROM json_each(usages."durations") UNION ALL SELECT key, value FROM json_each(excluded."durations")) GROUP BY key))`;
  return `CASE WHEN excluded."durations" IS NULL THEN usages."durations" WHEN usages."durations" IS NULL THEN excluded."durations" ELSE ${sum} END`;
}

const FIELDS = ['id', 'periodStart', 'userDid', 'appId', 'model', 'providerId', 'type', 'calls', 'errors', 'inputTokens', 'outputTokens', 'creditsNano', 'reportedCreditsNano'] as const;

export async function upsertUsage(sequelize: Sequelize, unordered: UsageBucket[], transaction?: Transaction): Promise<void> {
  if (!unordered.length) return;
  // Rows are locked in VALUES order: one order for every writer, or two instances' upserts of the
  // same buckets deadlock on PostgreSQL.
  const buckets = [...unordered].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  // Values as literals (sql-literal.ts): named replacements cost a pass over the whole statement.
  const literal = sqlLiteral(sequelize);
  const now = literal(new Date());
  const values = buckets.map((b) => `(${FIELDS.map((k) => literal(b[k])).join(', ')}, ${literal(binsToJson(b.durations))}, ${now}, ${now})`);
  await sequelize.query(
    `INSERT INTO usages (${FIELDS.map((k) => `"${k}"`).join(', ')}, "durations", "createdAt", "updatedAt")
     VALUES ${values.join(', ')}
     ON CONFLICT ("id") DO UPDATE SET
       "calls" = usages."calls" + excluded."calls",
       "errors" = usages."errors" + excluded."errors",
       "inputTokens" = usages."inputTokens" + excluded."inputTokens",
       "outputTokens" = usages."outputTokens" + excluded."outputTokens",
       "creditsNano" = usages."creditsNano" + excluded."creditsNano",
       "reportedCreditsNano" = usages."reportedCreditsNano" + excluded."reportedCreditsNano",
       "durations" = ${mergedDurations(sequelize.getDialect() === 'postgres')},
       "updatedAt" = excluded."updatedAt"`,
    { type: QueryTypes.INSERT, transaction },
  );
}

/** The recorder's flush hook: the buckets change in the transaction that writes the rows. */
export function createUsageAggregator(sequelize: Sequelize, reportableNano: (row: ModelCallRow) => number): FlushHook {
  return {
    name: 'usage',
    async write(rows, t) {
      const buckets = bucketsOf(rows, reportableNano);
      for (let i = 0; i < buckets.length; i += 200) await upsertUsage(sequelize, buckets.slice(i, i + 200), t);
      await markStaleHours(sequelize, buckets.map((b) => b.periodStart), t);
    },
  };
}
