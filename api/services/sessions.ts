/**
 * Browser sessions. The cookie holds 32 random bytes; the database holds their sha256, the key the
 * session was opened with and the role it had then. A session ends on logout, when its key is
 * revoked or expires, when its role changes, after `idleMs` unused and `SESSION_MAX_AGE_MS` after
 * login. Every request reads its row (no cache): a session ended on one instance is ended on all.
 */
import { createHmac } from 'node:crypto';
import { Op } from 'sequelize';
import { randomToken, sha256 } from '../lib/crypto.js';
import type { Models } from '../store/models/index.js';
import { ENV_ADMIN_KEY_ID, type AccessKeyService, type Caller } from './access-keys.js';

export const SESSION_COOKIE = 'aigne_hub_session';
export const SESSION_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** lastSeenAt is written at most this often per session (idle expiry is that coarse). */
const TOUCH_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface SessionService {
  open(caller: Caller): Promise<{ value: string; expires: Date }>;
  /** The caller of a live session, else null (and an ended session's row is deleted). */
  resolve(value: string): Promise<Caller | null>;
  /** Logout: the session ends everywhere at once. */
  close(value: string): Promise<void>;
  /** Ends every session opened with this key (it was revoked). */
  closeForKey(keyId: string): Promise<void>;
}

export interface SessionOptions {
  idleMs: number;
  /** AIGNE_HUB_ADMIN_KEY: its sessions end when the operator changes it. */
  envAdminKey?: string;
  encryptionKey: Buffer;
}

export function createSessionService(models: Models, accessKeys: AccessKeyService, options: SessionOptions): SessionService {
  const { Session } = models;
  // Sessions of the built-in admin name which AIGNE_HUB_ADMIN_KEY opened them (keyed, not hashed: the key may be a weak password).
  const envAdminId = options.envAdminKey
    ? `${ENV_ADMIN_KEY_ID}:${createHmac('sha256', options.encryptionKey).update(options.envAdminKey).digest('hex').slice(0, 32)}`
    : undefined;
  let prunedAt = 0;
  const end = (id: string) => Session.destroy({ where: { id } }).then(() => undefined);

  const prune = (now: number) => {
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    const where = { [Op.or]: [{ expiresAt: { [Op.lte]: new Date(now) } }, { lastSeenAt: { [Op.lte]: new Date(now - options.idleMs) } }] };
    void Session.destroy({ where }).catch(() => {});
  };

  return {
    async open(caller) {
      const now = Date.now();
      prune(now);
      const value = randomToken(32);
      const expires = new Date(now + SESSION_MAX_AGE_MS);
      const keyId = caller.keyId === ENV_ADMIN_KEY_ID && envAdminId ? envAdminId : caller.keyId;
      await Session.create({ id: sha256(value), keyId, userDid: caller.userDid, role: caller.role, lastSeenAt: new Date(now), expiresAt: expires });
      return { value, expires };
    },

    async resolve(value) {
      if (!VALUE.test(value)) return null;
      const id = sha256(value);
      const row = await Session.findByPk(id);
      if (!row) return null;
      const now = Date.now();
      const lastSeen = row.lastSeenAt.getTime();
      const envAdmin = row.keyId.startsWith(`${ENV_ADMIN_KEY_ID}:`);
      const caller =
        row.expiresAt.getTime() <= now || lastSeen + options.idleMs <= now || (envAdmin && row.keyId !== envAdminId)
          ? null
          : await accessKeys.authenticateById(envAdmin ? ENV_ADMIN_KEY_ID : row.keyId);
      if (!caller || caller.role !== row.role || caller.userDid !== row.userDid) {
        await end(id);
        return null;
      }
      if (now - lastSeen >= TOUCH_EVERY_MS) void Session.update({ lastSeenAt: new Date(now) }, { where: { id } }).catch(() => {});
      return { ...caller, via: 'session' };
    },

    async close(value) {
      if (VALUE.test(value)) await end(sha256(value));
    },

    async closeForKey(keyId) {
      await Session.destroy({ where: { keyId } });
    },
  };
}
