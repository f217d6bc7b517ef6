/** API.md §15 (admin): model health, and running the checks now. */
import { Router } from 'express';
import { requireRole } from '../../middlewares/auth.js';
import type { ModelHealth } from '../../services/health/model-health.js';

export function modelHealthRoutes(health: ModelHealth): Router {
  const r = Router();
  r.use(requireRole('admin'));
  r.get('/health', async (_req, res) => {
    res.json(await health.view());
  });
  r.post('/health/check', async (_req, res) => {
    res.json(await health.checkNow());
  });
  return r;
}
