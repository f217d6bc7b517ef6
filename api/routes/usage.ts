/**
 * API.md §7 `GET /api/usage/stats?from&to&groupBy=day|model|provider|app|user`: per group the
 * calls, errors, tokens, credits (a decimal string) and nearest-rank p50/p95 of the call duration,
 * computed in SQL (window functions, on SQLite and PostgreSQL) over the settled ModelCall rows.
 * Members see their own calls, admins everyone's (or one user's with ?userDid).
 */
import { Router } from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod/v4';
import { BadRequestError } from '../errors.js';
import { nanoToCredits } from '../lib/decimal.js';
import { isAdmin, requireAuth } from '../middlewares/auth.js';
import { parseQuery } from '../middlewares/validate.js';
import { scopedUserDid } from './credits.js';
import type { UsageGroupBy, UsageStatRow, UsageStatsAnswer } from '../wire/usage.js';
import { dateParam } from './model-calls.js';

const GROUPS = ['day', 'model', 'provider', 'app', 'user'] as const satisfies readonly UsageGroupBy[];
type GroupBy = (typeof GROUPS)[number];

const statsQuery = z.object({
  from: dateParam.optional(),
  to: dateParam.optional(),
  groupBy: z.enum(GROUPS).default('day'),
  userDid: z.string().trim().min(1).max(128).optional(),
});

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 366 * DAY_MS;

function keyExpression(groupBy: GroupBy, postgres: boolean): string {
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
  }
}

export async function usageStats(
  sequelize: Sequelize,
  q: { from: Date; to: Date; groupBy: GroupBy; userDid?: string },
): Promise<UsageStatRow[]> {
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

export function usageRoutes(deps: { sequelize: Sequelize }): Router {
  const r = Router();
  r.use(requireAuth());
  r.get('/stats', async (req, res) => {
    const q = parseQuery(statsQuery, req.query);
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) throw new BadRequestError('from must be before to', { extra: { param: 'from' } });
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new BadRequestError('The range from..to may span at most 366 days', { extra: { param: 'from' } });
    const userDid = isAdmin(req) && !q.userDid ? undefined : scopedUserDid(req, q.userDid);
    const data = await usageStats(deps.sequelize, { from, to, groupBy: q.groupBy, userDid });
    res.json({ groupBy: q.groupBy, from: from.toISOString(), to: to.toISOString(), data } satisfies UsageStatsAnswer);
  });
  return r;
}
