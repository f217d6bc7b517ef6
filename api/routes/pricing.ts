/** `GET /api/pricing`: what every served model costs in credits (public unless PUBLIC_PRICING=false). */
import { Router, type RequestHandler } from 'express';
import { requireAuth } from '../middlewares/auth.js';
import type { RoutingTable } from '../services/gateway/routing.js';
import { publicPrices } from '../services/pricing/public-pricing.js';

export function pricingRoute(routing: RoutingTable, isPublic: boolean): Router {
  const r = Router();
  const guard: RequestHandler[] = isPublic ? [] : [requireAuth()];
  r.get('/', ...guard, async (_req, res) => {
    res.json(await publicPrices(routing));
  });
  return r;
}
