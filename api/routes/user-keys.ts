/**
 * API.md §16 `/api/user/access-keys`: any signed-in caller lists, makes and revokes their own keys.
 * Keys made here are always `member` keys; another user's key answers 404 as if it did not exist.
 */
import { Router, type Request } from 'express';
import type { Sequelize } from 'sequelize';
import { z } from 'zod/v4';
import { NotFoundError, PermissionDeniedError } from '../errors.js';
import { requireAuth } from '../middlewares/auth.js';
import { validateBody } from '../middlewares/validate.js';
import type { AccessKeyService } from '../services/access-keys.js';
import { assertNarrower, isUnlimited, keyLimitsSchema, narrowest, type KeyLimits } from '../services/key-limits.js';
import { monthStart, usageByKey } from '../services/key-usage.js';
import type { UserLimitsSource } from '../services/user-limits.js';
import type { OwnKeyView } from '../wire/user.js';
import { futureDateTime } from './params.js';

const ownKeyCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    expiresAt: futureDateTime,
    limits: keyLimitsSchema.nullable().optional(),
  })
  .strict();

export interface UserKeyRouteDeps {
  accessKeys: AccessKeyService;
  sequelize: Sequelize;
  maxKeysPerUser: number;
  userLimits: UserLimitsSource;
}

/** The limits a new key of this caller may not widen: the user's own, and those of the key they call with. */
export async function limitCeilings(req: Request, deps: Pick<UserKeyRouteDeps, 'accessKeys' | 'userLimits'>): Promise<(KeyLimits | null)[]> {
  const caller = req.ctx.caller!;
  const own = caller.via === 'access-key' || caller.via === 'session' ? await deps.accessKeys.get(caller.keyId) : null;
  return [await deps.userLimits(caller.userDid), own?.limits ?? null];
}

/** The limits of a key a member makes: never wider than their own or the calling key's, and no fewer than the calling key's. */
export async function ownKeyLimits(req: Request, deps: Pick<UserKeyRouteDeps, 'accessKeys' | 'userLimits'>, wanted: KeyLimits | null | undefined): Promise<KeyLimits | null> {
  const limits = isUnlimited(wanted) ? null : wanted!;
  const [user, maker] = await limitCeilings(req, deps);
  if (limits) assertNarrower(limits, [user ?? null, maker ?? null]);
  return narrowest(limits, maker ?? null);
}

/** Keys given to an app make model calls for it; they do not hand out or take back the user's keys. */
export function requireOwnerCaller(req: Request): void {
  if (req.ctx.caller!.appId) throw new PermissionDeniedError("A key issued to an app cannot manage its user's keys", { code: 'app_key' });
}

export function userKeyRoutes(deps: UserKeyRouteDeps): Router {
  const { accessKeys } = deps;
  const r = Router();
  r.use(requireAuth());

  r.get('/', async (req, res) => {
    const userDid = req.ctx.caller!.userDid;
    const keys = await accessKeys.list({ userDid });
    const since = monthStart(new Date());
    const usage = await usageByKey(deps.sequelize, userDid, keys.map((k) => k.id), since);
    res.json(keys.map((k): OwnKeyView => ({ ...k, usage: { since: since.toISOString(), ...(usage.get(k.id) ?? { calls: 0, credits: '0' }) } })));
  });

  r.get('/:id', async (req, res) => {
    const key = await accessKeys.get(String(req.params.id), req.ctx.caller!.userDid);
    if (!key) throw new NotFoundError(`Access key '${String(req.params.id)}' not found`);
    res.json(key);
  });

  r.post('/', validateBody(ownKeyCreate), async (req, res) => {
    requireOwnerCaller(req);
    const body = req.body as z.infer<typeof ownKeyCreate>;
    const limits = await ownKeyLimits(req, deps, body.limits);
    const created = await accessKeys.create(
      { name: body.name, userDid: req.ctx.caller!.userDid, role: 'member', limits, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null },
      { maxLive: deps.maxKeysPerUser },
    );
    res.status(201).json(created);
  });

  r.delete('/:id', async (req, res) => {
    requireOwnerCaller(req);
    await accessKeys.revoke(String(req.params.id), req.ctx.caller!.userDid);
    res.status(204).end();
  });
  return r;
}
