/**
 * Whose limits apply to a caller (API.md §14): its key's (or `DEFAULT_KEY_LIMITS` for a member key
 * without any), its app's and its user's — every one of them, each counted on its own. Apps' and
 * users' limits are read briefly cached; a change here clears the cache at once.
 */
import { Op } from 'sequelize';
import { TtlCache } from '../../lib/ttl-cache.js';
import type { Models } from '../../store/models/index.js';
import type { KeyLimits } from '../../store/models/key-limits.js';
import type { Caller } from '../access-keys.js';
import { isUnlimited } from '../key-limits.js';

export type SubjectKind = 'key' | 'app' | 'user';

export interface LimitSubject {
  /** `key:<id>`, `app:<id>`, `user:<did>`: the counters' name. */
  id: string;
  kind: SubjectKind;
  limits: KeyLimits;
  /** A member key's limits from `DEFAULT_KEY_LIMITS`. */
  default?: boolean;
}

export interface SubjectSource {
  subjectsOf(caller: Caller): Promise<LimitSubject[]>;
  userLimits(did: string): Promise<KeyLimits | null>;
  /** Forget cached app and user limits (they changed, here or on another instance). */
  forget(): void;
}

export function createSubjectSource(models: Models, defaultKeyLimits: KeyLimits | null, ttlMs = 5_000): SubjectSource {
  const apps = new TtlCache<string, { id: string; limits: KeyLimits | null } | null>(ttlMs);
  const users = new TtlCache<string, KeyLimits | null>(ttlMs);

  const appOf = async (appId: string) => {
    const hit = apps.get(appId);
    if (hit !== undefined) return hit;
    const row = await models.App.findOne({ where: { [Op.or]: [{ id: appId }, { did: appId }] } });
    const value = row ? { id: row.id, limits: row.limits ?? null } : null;
    apps.set(appId, value);
    return value;
  };
  const userLimits = async (did: string) => {
    const hit = users.get(did);
    if (hit !== undefined) return hit;
    const limits = (await models.User.findByPk(did, { attributes: ['did', 'limits'] }))?.limits ?? null;
    users.set(did, limits);
    return limits;
  };

  return {
    async subjectsOf(caller) {
      const out: LimitSubject[] = [];
      const keyLimits = caller.limits ?? (caller.role === 'member' ? defaultKeyLimits : null);
      if (!isUnlimited(keyLimits)) out.push({ id: `key:${caller.keyId}`, kind: 'key', limits: keyLimits!, default: !caller.limits });
      if (caller.appId) {
        const app = await appOf(caller.appId);
        if (app && !isUnlimited(app.limits)) out.push({ id: `app:${app.id}`, kind: 'app', limits: app.limits! });
      }
      const own = await userLimits(caller.userDid);
      if (!isUnlimited(own)) out.push({ id: `user:${caller.userDid}`, kind: 'user', limits: own! });
      return out;
    },
    userLimits,
    forget() {
      apps.clear();
      users.clear();
    },
  };
}
