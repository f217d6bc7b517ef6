/** GET /api/user/limits (API.md §14): the caller's effective limits, and what remains of each now. */
import { Router } from 'express';
import { requireAuth } from '../middlewares/auth.js';
import type { LimitService } from '../services/limits/limits.js';

export function userLimitRoutes(limits: LimitService): Router {
  const r = Router();
  r.use(requireAuth());
  r.get('/', async (req, res) => {
    res.json(await limits.report(req.ctx.caller!));
  });
  return r;
}
