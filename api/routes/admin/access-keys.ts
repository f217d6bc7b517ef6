import { Router } from 'express';
import { z } from 'zod/v4';
import { requireRole } from '../../middlewares/auth.js';
import { validateBody } from '../../middlewares/validate.js';
import type { AccessKeyService } from '../../services/access-keys.js';
import type { AppService } from '../../services/apps.js';
import { isUnlimited, keyLimitsSchema } from '../../services/key-limits.js';
import type { UserService } from '../../services/users.js';
import type { KeyLimits } from '../../store/models/key-limits.js';
import type { AccessKeyBody, AppBody } from '../../wire/keys.js';
import { futureDateTime } from '../params.js';

const keyCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    userDid: z.string().trim().min(1).max(128).optional(),
    role: z.enum(['member', 'admin']).optional(),
    appId: z.string().trim().min(1).max(128).nullable().optional(),
    expiresAt: futureDateTime,
    limits: keyLimitsSchema.nullable().optional(),
  })
  .strict() satisfies z.ZodType<AccessKeyBody>;

/** A change of name or limits (`limits: null` removes them). */
const change = z.object({ name: z.string().trim().min(1).max(200).optional(), limits: keyLimitsSchema.nullable().optional() }).strict();
const limitsOnly = z.object({ limits: keyLimitsSchema.nullable() }).strict();
const stored = (l: KeyLimits | null | undefined) => (l === undefined ? undefined : isUnlimited(l) ? null : l);

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
    res.status(201).json(await service.create({ ...body, limits: stored(body.limits) ?? null, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null }));
  });
  r.put('/:id', validateBody(change), async (req, res) => {
    const body = req.body as z.infer<typeof change>;
    res.json(await service.update(String(req.params.id), { name: body.name, limits: stored(body.limits) }));
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
  r.put('/:id', validateBody(change), async (req, res) => {
    const body = req.body as z.infer<typeof change>;
    res.json(await service.update(String(req.params.id), { name: body.name, limits: stored(body.limits) }));
  });
  r.delete('/:id', async (req, res) => {
    await service.remove(String(req.params.id));
    res.status(204).end();
  });
  return r;
}

/** API.md §14: users and their own limits (admin). */
export function userRoutes(users: UserService): Router {
  const r = Router();
  r.use(requireRole('admin'));
  r.get('/', async (_req, res) => {
    res.json((await users.list()).map((u) => ({ did: u.did, name: u.name, role: u.role, limits: u.limits ?? null, createdAt: u.createdAt.toISOString() })));
  });
  r.put('/:did/limits', validateBody(limitsOnly), async (req, res) => {
    const u = await users.setLimits(String(req.params.did), stored((req.body as z.infer<typeof limitsOnly>).limits) ?? null);
    res.json({ did: u.did, name: u.name, role: u.role, limits: u.limits ?? null, createdAt: u.createdAt.toISOString() });
  });
  return r;
}
