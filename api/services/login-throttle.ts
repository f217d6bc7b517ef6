/**
 * Failed logins on /api/auth/login are counted per client address and per key prefix (what a
 * guesser spreading over many addresses keeps); past either limit, logins answer 429 with
 * Retry-After until the window ends, without looking at the key.
 */
import type { Sequelize } from 'sequelize';
import { RateLimitError } from '../errors.js';
import { addressBucket } from '../lib/client-address.js';
import { sha256 } from '../lib/crypto.js';
import { createLimiter } from '../store/rate-limiter.js';

export const LOGIN_LIMITS = { perAddress: 20, perKeyPrefix: 10, windowSeconds: 15 * 60 } as const;
/** `aigne_` and four characters: the prefix the key lists show. */
const PREFIX_LENGTH = 10;

export interface LoginThrottle {
  /** Throws a 429 when the address or the key's prefix has failed too often. */
  check(address: string | undefined, key: string): Promise<void>;
  failed(address: string | undefined, key: string): Promise<void>;
}

export function createLoginThrottle(sequelize: Sequelize): LoginThrottle {
  const byAddress = createLimiter(sequelize, { name: 'login-address', points: LOGIN_LIMITS.perAddress, windowSeconds: LOGIN_LIMITS.windowSeconds });
  const byPrefix = createLimiter(sequelize, { name: 'login-key', points: LOGIN_LIMITS.perKeyPrefix, windowSeconds: LOGIN_LIMITS.windowSeconds });
  // Hashed: a mistyped admin key must not leave its first characters in the rate_limits table.
  const prefixOf = (key: string) => sha256(key.slice(0, PREFIX_LENGTH)).slice(0, 32);
  return {
    async check(address, key) {
      const [a, p] = await Promise.all([byAddress.get(addressBucket(address)), byPrefix.get(prefixOf(key))]);
      let waitMs = 0;
      if (a && a.consumedPoints >= LOGIN_LIMITS.perAddress) waitMs = Math.max(waitMs, a.msBeforeNext);
      if (p && p.consumedPoints >= LOGIN_LIMITS.perKeyPrefix) waitMs = Math.max(waitMs, p.msBeforeNext);
      if (waitMs > 0) throw new RateLimitError('Too many failed logins: try again later', Math.ceil(waitMs / 1000));
    },
    async failed(address, key) {
      await Promise.all([byAddress.penalty(addressBucket(address)), byPrefix.penalty(prefixOf(key))]);
    },
  };
}
