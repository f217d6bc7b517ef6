/** GET /api/limits/usage (admin): what every limited key, app and user has used of its limits now, for the admin's pages. */
import { Router } from 'express';
import { Op } from 'sequelize';
import { requireRole } from '../../middlewares/auth.js';
import { isUnlimited } from '../../services/key-limits.js';
import type { LimitService } from '../../services/limits/limits.js';
import type { Models } from '../../store/models/index.js';
import type { KeyLimits } from '../../store/models/key-limits.js';
import type { LimitUsageAnswer, LimitUsed } from '../../wire/limits.js';

export function limitUsageRoutes(deps: { models: Models; limits: LimitService; defaultKeyLimits: KeyLimits | null }): Router {
  const r = Router();
  r.use(requireRole('admin'));
  r.get('/', async (_req, res) => {
    const live = { revokedAt: { [Op.is]: null } };
    const [keys, apps, users] = await Promise.all([
      // Member keys without limits of their own count under DEFAULT_KEY_LIMITS.
      deps.models.AccessKey.findAll({ where: deps.defaultKeyLimits ? { ...live, [Op.or]: [{ limits: { [Op.ne]: null } }, { role: 'member' }] } : { ...live, limits: { [Op.ne]: null } }, limit: 1000 }),
      deps.models.App.findAll({ where: { limits: { [Op.ne]: null } }, limit: 1000 }),
      deps.models.User.findAll({ where: { limits: { [Op.ne]: null } }, limit: 1000 }),
    ]);
    const read = async <T>(kind: 'key' | 'app' | 'user', rows: T[], id: (row: T) => string, limits: (row: T) => KeyLimits | null) => {
      const out: Record<string, LimitUsed> = {};
      for (const row of rows) {
        const l = limits(row);
        if (!isUnlimited(l)) out[id(row)] = await deps.limits.usage(kind, id(row), l!);
      }
      return out;
    };
    res.json({
      defaultKeyLimits: deps.defaultKeyLimits,
      keys: await read('key', keys, (k) => k.id, (k) => k.limits ?? (k.role === 'member' ? deps.defaultKeyLimits : null)),
      apps: await read('app', apps, (a) => a.id, (a) => a.limits ?? null),
      users: await read('user', users, (u) => u.did, (u) => u.limits ?? null),
    } satisfies LimitUsageAnswer);
  });
  return r;
}
