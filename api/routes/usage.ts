/**
 * API.md §7 `GET /api/usage/stats?from&to&groupBy=day|model|provider|app|user`: per group the
 * calls, errors, tokens, credits (a decimal string) and p50/p95 of the call duration (from the
 * usage roll-ups and buckets: services/usage/usage-stats.ts). Members see their own calls, admins
 * everyone's (or one user's with ?userDid).
 */
import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import { z } from 'zod/v4';
import { BadRequestError } from '../errors.js';
import { isAdmin, requireAuth } from '../middlewares/auth.js';
import { parseQuery } from '../middlewares/validate.js';
import { GROUPS, usageStats } from '../services/usage/usage-stats.js';
import { scopedUserDid } from './credits.js';
import type { UsageStatsAnswer } from '../wire/usage.js';
import { dateParam } from './model-calls.js';

const statsQuery = z.object({
  from: dateParam.optional(),
  to: dateParam.optional(),
  groupBy: z.enum(GROUPS).default('day'),
  userDid: z.string().trim().min(1).max(128).optional(),
});

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 366 * DAY_MS;

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
