/**
 * Whose limits apply to a caller (API.md §14): its key's (or `DEFAULT_KEY_LIMITS` for a member key
 * without any), its app's and its user's — every one of them, each counted on its own. Apps' and
 * users' limits are read briefly cached; a change here clears the cache at once.
 */
import { Op } from 'sequelize';
import { ReadThroughCache } from '../../lib/read-through-cache.js';
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
  const apps = new ReadThroughCache<string, { id: string; limits: KeyLimits | null } | null>(ttlMs);
  const users = new ReadThroughCache<string, KeyLimits | null>(ttlMs);

  const appOf = (appId: string) =>
    apps.get(appId, async () => {
      const row = await models.App.findOne({ where: { [Op.or]: [{ id: appId }, { did: appId }] } });
      return row ? { id: row.id, limits: row.limits ?? null } : null;
    });
  const userLimits = (did: string) => users.get(did, async () => (await models.User.findByPk(did, { attributes: ['did', 'limits'] }))?.limits ?? null);

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
    userLimits: async (did) => userLimits(did),
    forget() {
      apps.clear();
      users.clear();
    },
  };
}
