/**
 * Access keys: `aigne_` + 32 random bytes, stored as sha256 only. Lookups are cached briefly; a
 * revocation on this instance clears the cache at once and is announced (`onRevoked`) so other
 * instances can `clearCache()`; without that they see it within the TTL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Op, type Transaction } from 'sequelize';
import { ConflictError, NotFoundError } from '../errors.js';
import { randomToken, sha256 } from '../lib/crypto.js';
import { newId, newUserDid } from '../lib/ids.js';
import { ReadThroughCache } from '../lib/read-through-cache.js';
import type { AccessKey } from '../store/models/access-key.js';
import type { Models } from '../store/models/index.js';
import type { KeyLimits } from '../store/models/key-limits.js';
import type { Role } from '../store/models/user.js';
import { writeTransaction } from '../store/write-transaction.js';
import type { AccessKeyView, CreatedAccessKey } from '../wire/keys.js';
import type { UserService } from './users.js';

export const KEY_PREFIX = 'aigne_';
export const ENV_ADMIN_KEY_ID = 'env-admin';
export const ADMIN_USER_DID = 'admin';

export interface Caller {
  userDid: string;
  role: Role;
  keyId: string;
  appId: string | null;
  name: string | null;
  /** The key's own limits (API.md §14), null for none. */
  limits: KeyLimits | null;
  via: 'access-key' | 'session' | 'blocklet' | 'component';
}

export interface CreateKeyInput {
  name: string;
  userDid?: string;
  role?: Role;
  appId?: string | null;
  expiresAt?: Date | null;
  limits?: KeyLimits | null;
}

export interface CreateKeyOptions {
  /** At most this many live (unrevoked, unexpired) keys for the user: 409 beyond it. */
  maxLive?: number;
  /** Runs in this write transaction (the caller's), instead of one of its own. */
  transaction?: Transaction;
}

export interface AccessKeyService {
  create(input: CreateKeyInput, options?: CreateKeyOptions): Promise<CreatedAccessKey>;
  list(filter?: { userDid?: string }): Promise<AccessKeyView[]>;
  /** The key, or null when there is none (or it is not `owner`'s, when given). */
  get(id: string, owner?: string): Promise<AccessKeyView | null>;
  /** Renames the key or sets its limits; applies at once (cached lookups are dropped here and announced). */
  update(id: string, change: { name?: string; limits?: KeyLimits | null }): Promise<AccessKeyView>;
  /** Revokes the key; 404 when there is none (or it is not `owner`'s, when given). */
  revoke(id: string, owner?: string): Promise<void>;
  /** Resolves a presented key to its caller, or null when unknown, revoked or expired. */
  authenticate(key: string): Promise<Caller | null>;
  /** Resolves a key id (from a session cookie) to its caller. */
  authenticateById(id: string): Promise<Caller | null>;
  /** First start: generate an admin key, print it once and write <dataDir>/admin.key (0600). */
  bootstrapAdmin(dataDir: string, print: (line: string) => void): Promise<string | null>;
  /** Told after a key was revoked or changed here (to tell other instances). */
  onRevoked(listener: (id: string) => void): void;
  /** Forgets every cached lookup (a key was revoked elsewhere). */
  clearCache(): void;
}

const toView = (row: AccessKey): AccessKeyView => ({
  id: row.id,
  name: row.name,
  keyPrefix: row.keyPrefix,
  userDid: row.userDid,
  role: row.role,
  appId: row.appId,
  limits: row.limits ?? null,
  expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
  revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
});

export function generateAccessKey(): string {
  return `${KEY_PREFIX}${randomToken(32)}`;
}

export function createAccessKeyService(
  models: Models,
  users: UserService,
  options: { envAdminKey?: string; cacheTtlMs?: number } = {},
): AccessKeyService {
  const cache = new ReadThroughCache<string, { caller: Caller | null; expiresAt: number }>(options.cacheTtlMs ?? 3000);
  const entryOf = (row: AccessKey | null) => ({ caller: row ? callerOf(row) : null, expiresAt: row?.expiresAt ? row.expiresAt.getTime() : Number.POSITIVE_INFINITY });
  /** The caller a key stands for, from the cache or one shared read; a key that expired since is none. */
  const lookup = (key: string, find: () => Promise<AccessKey | null>): Caller | null | Promise<Caller | null> => {
    const entry = cache.get(key, () => find().then(entryOf));
    const live = (e: { caller: Caller | null; expiresAt: number }) => (e.expiresAt <= Date.now() ? null : e.caller);
    return entry instanceof Promise ? entry.then(live) : live(entry);
  };
  const revokedListeners: ((id: string) => void)[] = [];
  const envAdminKey = options.envAdminKey;
  const envAdminHash = envAdminKey ? sha256(envAdminKey) : undefined;
  const lastUsedFlush = new Map<string, number>();

  const callerOf = (row: AccessKey): Caller | null => {
    if (row.revokedAt) return null;
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return null;
    return { userDid: row.userDid, role: row.role, keyId: row.id, appId: row.appId, name: row.name, limits: row.limits ?? null, via: 'access-key' };
  };

  const envAdminCaller: Caller = {
    userDid: ADMIN_USER_DID,
    role: 'admin',
    keyId: ENV_ADMIN_KEY_ID,
    appId: null,
    name: 'admin',
    limits: null,
    via: 'access-key',
  };

  const touch = (id: string) => {
    // lastUsedAt is informational: written at most once a minute per key, off the request path.
    const now = Date.now();
    if ((lastUsedFlush.get(id) ?? 0) > now - 60_000) return;
    lastUsedFlush.set(id, now);
    void models.AccessKey.update({ lastUsedAt: new Date(now) }, { where: { id } }).catch(() => {});
  };

  return {
    async create(input, options = {}) {
      const userDid = input.userDid ?? newUserDid();
      const role = input.role ?? 'member';
      await users.ensure(userDid, { name: input.name, role }, options.transaction);
      const key = generateAccessKey();
      const insert = async (transaction: Transaction) => {
        if (options.maxLive !== undefined) {
          // PostgreSQL: the user's row lock puts concurrent creations in line (SQLite has one writer).
          if (models.User.sequelize!.getDialect() === 'postgres') await models.User.findByPk(userDid, { transaction, lock: transaction.LOCK.UPDATE });
          const live = await models.AccessKey.count({
            where: { userDid, revokedAt: { [Op.is]: null }, [Op.or]: [{ expiresAt: { [Op.is]: null } }, { expiresAt: { [Op.gt]: new Date() } }] },
            transaction,
          });
          if (live >= options.maxLive) {
            throw new ConflictError(`You have ${live} live keys, the most a user may have (${options.maxLive}): revoke one first`, { code: 'too_many_keys' });
          }
        }
        return models.AccessKey.create(
          {
            id: newId(),
            name: input.name,
            keyHash: sha256(key),
            keyPrefix: key.slice(0, KEY_PREFIX.length + 4),
            userDid,
            role,
            appId: input.appId ?? null,
            limits: input.limits ?? null,
            expiresAt: input.expiresAt ?? null,
            revokedAt: null,
            lastUsedAt: null,
          },
          { transaction },
        );
      };
      const row = options.transaction ? await insert(options.transaction) : await writeTransaction(models.AccessKey.sequelize!, insert);
      return { ...toView(row), key };
    },

    async list(filter = {}) {
      const rows = await models.AccessKey.findAll({
        where: filter.userDid ? { userDid: filter.userDid } : {},
        order: [['createdAt', 'DESC']],
      });
      return rows.map(toView);
    },

    async get(id, owner) {
      const row = await models.AccessKey.findByPk(id);
      return row && (owner === undefined || row.userDid === owner) ? toView(row) : null;
    },

    async revoke(id, owner) {
      const row = await models.AccessKey.findByPk(id);
      // Another user's key answers as an unknown one: its existence is not theirs to learn.
      if (!row || (owner !== undefined && row.userDid !== owner)) throw new NotFoundError(`Access key '${id}' not found`);
      if (!row.revokedAt) await row.update({ revokedAt: new Date() });
      cache.delete(row.keyHash);
      cache.delete(`id:${row.id}`);
      for (const l of revokedListeners) l(row.id);
    },

    async update(id, change) {
      const row = await models.AccessKey.findByPk(id);
      if (!row) throw new NotFoundError(`Access key '${id}' not found`);
      await row.update({ ...(change.name !== undefined ? { name: change.name } : {}), ...(change.limits !== undefined ? { limits: change.limits } : {}) });
      cache.delete(row.keyHash);
      cache.delete(`id:${row.id}`);
      // Other instances drop their cached lookups as for a revocation.
      for (const l of revokedListeners) l(row.id);
      return toView(row);
    },

    async authenticate(key) {
      const hash = sha256(key);
      // Digests are compared, not keys: how long a comparison takes tells nothing about the key.
      if (hash === envAdminHash) return envAdminCaller;
      if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
      const caller = await lookup(hash, () => models.AccessKey.findOne({ where: { keyHash: hash } }));
      if (caller) touch(caller.keyId);
      return caller;
    },

    async authenticateById(id) {
      if (id === ENV_ADMIN_KEY_ID) return envAdminKey ? envAdminCaller : null;
      return lookup(`id:${id}`, () => models.AccessKey.findByPk(id));
    },

    async bootstrapAdmin(dataDir, print) {
      if (envAdminKey) return null;
      const existing = await models.AccessKey.count({ where: { role: 'admin', revokedAt: { [Op.is]: null } } });
      if (existing > 0) return null;
      const created = await this.create({ name: 'Admin (generated at first start)', userDid: ADMIN_USER_DID, role: 'admin' });
      fs.mkdirSync(dataDir, { recursive: true });
      const file = path.join(dataDir, 'admin.key');
      fs.writeFileSync(file, `${created.key}\n`, { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      print(`AIGNE Hub admin key (shown once, also saved to ${file}): ${created.key}`);
      return created.key;
    },

    onRevoked(listener) {
      revokedListeners.push(listener);
    },

    clearCache() {
      cache.clear();
    },
  };
}
