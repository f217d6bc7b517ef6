/** Stateless browser sessions: a signed cookie naming the access key it was opened with. */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../lib/crypto.js';

export const SESSION_COOKIE = 'aigne_hub_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface SessionCodec {
  issue(keyId: string, now?: number): { value: string; expires: Date };
  /** Returns the key id of a valid, unexpired session value, else null. */
  verify(value: string, now?: number): string | null;
}

export function createSessionCodec(encryptionKey: Buffer): SessionCodec {
  const macKey = createHmac('sha256', encryptionKey).update('aigne-hub:session').digest();
  const sign = (payload: string) => createHmac('sha256', macKey).update(payload).digest('base64url');
  return {
    issue(keyId, now = Date.now()) {
      const expires = now + SESSION_TTL_MS;
      const payload = `${Buffer.from(keyId).toString('base64url')}.${expires}`;
      return { value: `${payload}.${sign(payload)}`, expires: new Date(expires) };
    },
    verify(value, now = Date.now()) {
      const parts = value.split('.');
      if (parts.length !== 3) return null;
      const [id, exp, mac] = parts as [string, string, string];
      if (!safeEqual(mac, sign(`${id}.${exp}`))) return null;
      if (!/^\d+$/.test(exp) || Number(exp) <= now) return null;
      return Buffer.from(id, 'base64url').toString('utf8');
    },
  };
}
