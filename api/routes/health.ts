import { Router } from 'express';
import type { Sequelize } from 'sequelize';

/** API.md §8: liveness with a database round trip; 503 when the database is unreachable. */
export function healthRoutes(deps: { sequelize: Sequelize; version: string }): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    try {
      await deps.sequelize.query('SELECT 1');
      res.json({ status: 'ok', db: 'ok', version: deps.version });
    } catch {
      res.status(503).json({ status: 'error', db: 'unreachable', version: deps.version });
    }
  });
  return r;
}
