/**
 * The reference for the usage statistics: the query `/api/usage/stats` answered with before the
 * roll-ups (every call row in the range, exact nearest-rank percentiles with window functions).
 * Kept here only, to check the roll-ups against.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { nanoToCredits } from '../../lib/decimal.js';
import type { UsageQuery, UsageStatRow } from '../../services/usage/usage-stats.js';

function keyExpression(groupBy: UsageQuery['groupBy'], postgres: boolean): string {
  switch (groupBy) {
    case 'day':
      return postgres ? `to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `substr("createdAt", 1, 10)`;
    case 'model':
      return `"model"`;
    case 'provider':
      return `COALESCE("providerId", '')`;
    case 'app':
      return `COALESCE("appId", '')`;
    case 'user':
      return `COALESCE("userDid", '')`;
    case 'type':
      return `"type"`;
  }
}

export async function referenceStats(sequelize: Sequelize, q: UsageQuery): Promise<UsageStatRow[]> {
  const postgres = sequelize.getDialect() === 'postgres';
  const key = keyExpression(q.groupBy, postgres);
  const userFilter = q.userDid ? ` AND "userDid" = :userDid` : '';
  const rows = (await sequelize.query(
    `WITH base AS (
       SELECT ${key} AS k, "status", "inputTokens", "outputTokens", "creditsNano", "duration"
       FROM model_calls
       WHERE "createdAt" >= :from AND "createdAt" < :to AND "status" <> 'processing'${userFilter}
     ),
     ranked AS (
       SELECT k, "duration",
              ROW_NUMBER() OVER (PARTITION BY k ORDER BY "duration") AS rn,
              COUNT(*) OVER (PARTITION BY k) AS n
       FROM base WHERE "duration" IS NOT NULL
     ),
     pct AS (
       SELECT k,
              MIN(CASE WHEN rn * 100 >= n * 50 THEN "duration" END) AS p50,
              MIN(CASE WHEN rn * 100 >= n * 95 THEN "duration" END) AS p95
       FROM ranked GROUP BY k
     ),
     totals AS (
       SELECT k, COUNT(*) AS calls,
              SUM(CASE WHEN "status" = 'failed' THEN 1 ELSE 0 END) AS errors,
              SUM("inputTokens") AS input, SUM("outputTokens") AS output, SUM("creditsNano") AS credits
       FROM base GROUP BY k
     )
     SELECT totals.k AS "key", calls, errors, input, output, credits, pct.p50 AS p50, pct.p95 AS p95
     FROM totals LEFT JOIN pct ON pct.k = totals.k`,
    { replacements: { from: q.from, to: q.to, userDid: q.userDid }, type: QueryTypes.SELECT },
  )) as Record<string, unknown>[];
  const num = (v: unknown) => Number(v ?? 0);
  const out = rows.map((r) => ({
    key: String(r.key ?? ''),
    calls: num(r.calls),
    errors: num(r.errors),
    inputTokens: num(r.input),
    outputTokens: num(r.output),
    credits: nanoToCredits(String(r.credits ?? 0).split('.')[0]!),
    p50Ms: r.p50 === null || r.p50 === undefined ? null : num(r.p50),
    p95Ms: r.p95 === null || r.p95 === undefined ? null : num(r.p95),
  }));
  return q.groupBy === 'day' ? out.sort((a, b) => a.key.localeCompare(b.key)) : out.sort((a, b) => b.calls - a.calls || a.key.localeCompare(b.key));
}
