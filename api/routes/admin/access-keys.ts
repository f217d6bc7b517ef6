import { Router } from 'express';
import { z } from 'zod/v4';
import { requireRole } from '../../middlewares/auth.js';
import { validateBody } from '../../middlewares/validate.js';
import type { AccessKeyService } from '../../services/access-keys.js';
import type { AppService } from '../../services/apps.js';
import type { AccessKeyBody, AppBody } from '../../wire/keys.js';
import { futureDateTime } from '../params.js';

const keyCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    userDid: z.string().trim().min(1).max(128).optional(),
    role: z.enum(['member', 'admin']).optional(),
    appId: z.string().trim().min(1).max(128).nullable().optional(),
    expiresAt: futureDateTime,
  })
  .strict() satisfies z.ZodType<AccessKeyBody>;

const appCreate = z.object({ name: z.string().trim().min(1).max(200), did: z.string().trim().min(1).max(128).optional() }).strict() satisfies z.ZodType<AppBody>;

/** API.md §6: access keys (admin). */
export function accessKeyRoutes(service: AccessKeyService): Router {
  const r = Router();
  r.use(requireRole('admin'));
  r.get('/', async (_req, res) => {
    res.json(await service.list());
  });
  r.post('/', validateBody(keyCreate), async (req, res) => {
    const body = req.body as z.infer<typeof keyCreate>;
    res.status(201).json(await service.create({ ...body, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null }));
  });
  r.delete('/:id', async (req, res) => {
    await service.revoke(String(req.params.id));
    res.status(204).end();
  });
  return r;
}

/** API.md §6: apps authorized to use the hub (admin). */
export function appRoutes(service: AppService): Router {
  const r = Router();
  r.use(requireRole('admin'));
  r.get('/', async (_req, res) => {
    res.json(await service.list());
  });
  r.post('/', validateBody(appCreate), async (req, res) => {
    res.status(201).json(await service.create(req.body));
  });
  r.delete('/:id', async (req, res) => {
    await service.remove(String(req.params.id));
    res.status(204).end();
  });
  return r;
}
