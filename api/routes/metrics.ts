/**
 * GET /metrics — Prometheus text format (API.md §8): for `Authorization: Bearer <METRICS_TOKEN>`
 * or an admin (access key or session); 401 without credentials, 403 for a member.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AuthenticationError, PermissionDeniedError } from '../errors.js';
import type { HubMetrics } from '../services/metrics/hub-metrics.js';

export interface MetricsRouteOptions {
  metrics: HubMetrics;
  token?: string;
  /** The app's `authenticate` middleware (identifies access keys and sessions). */
  authenticate: RequestHandler;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1]!.trim() : undefined;
}

export function metricsRoutes(options: MetricsRouteOptions): Router {
  const router = Router();
  const send = async (res: Response) => {
    res.setHeader('Content-Type', options.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await options.metrics.render());
  };
  router.get('/', async (req: Request, res: Response, next: NextFunction) => {
    const token = bearer(req);
    if (options.token && token && sameSecret(token, options.token)) return send(res);
    options.authenticate(req, res, (err?: unknown) => {
      if (err) return next(err);
      const caller = req.ctx.caller;
      if (!caller) return next(new AuthenticationError('Send Authorization: Bearer <METRICS_TOKEN> or an admin access key', { code: 'missing_api_key' }));
      if (caller.role !== 'admin') return next(new PermissionDeniedError('Metrics need an admin or the metrics token'));
      send(res).catch(next);
    });
  });
  return router;
}
