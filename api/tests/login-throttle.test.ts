/**
 * issue 28 finding 6: wrong keys on /api/auth/login are throttled per client address and per key
 * prefix, with 429 and Retry-After; a blocked address learns nothing about the keys it sends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressBucket } from '../lib/client-address.js';
import { LOGIN_LIMITS } from '../services/login-throttle.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

const wrongKey = (prefix = 'aigne_') => `${prefix}${randomBytes(32).toString('base64url')}`.slice(0, 49);

describe('login throttling', () => {
  let t: TestHub;
  let good: string;
  // supertest connects from loopback, a trusted proxy by default: X-Forwarded-For names the client.
  const loginFrom = (address: string, key: string) => t.request.post('/api/auth/login').set('X-Forwarded-For', address).send({ key });

  beforeAll(async () => {
    t = await startTestHub();
    good = (await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'real', role: 'admin' })).body.key;
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after too many wrong keys from one address: 60 tries', async () => {
    const statuses: number[] = [];
    let limited: { status: number; headers: Record<string, string>; body: any } | undefined;
    for (let i = 0; i < 60; i++) {
      const res = await loginFrom('203.0.113.10', wrongKey());
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, LOGIN_LIMITS.perAddress)).toEqual(Array(LOGIN_LIMITS.perAddress).fill(401));
    expect(statuses.slice(LOGIN_LIMITS.perAddress)).toEqual(Array(60 - LOGIN_LIMITS.perAddress).fill(429));
    expect(limited!.body.error.type).toBe('rate_limit_exceeded');
    const retryAfter = Number(limited!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.windowSeconds);

    // Blocked, the address gets 429 even for a right key (no oracle); other addresses log in.
    expect((await loginFrom('203.0.113.10', good)).status).toBe(429);
    expect((await loginFrom('203.0.113.11', good)).status).toBe(200);
  });

  it('throttles one key prefix tried from many addresses', async () => {
    const prefix = 'aigne_Zq9x';
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perKeyPrefix + 5; i++) statuses.push((await loginFrom(`198.51.100.${i + 1}`, wrongKey(prefix))).status);
    expect(statuses.slice(0, LOGIN_LIMITS.perKeyPrefix)).toEqual(Array(LOGIN_LIMITS.perKeyPrefix).fill(401));
    expect(statuses.slice(LOGIN_LIMITS.perKeyPrefix)).toEqual(Array(5).fill(429));
    // Another prefix from a fresh address is still heard.
    expect((await loginFrom('198.51.100.200', wrongKey('aigne_Other'))).status).toBe(401);
  });

  it('counts an IPv6 /64 as one address', async () => {
    expect(addressBucket('2001:db8:1:2::1')).toBe(addressBucket('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressBucket('2001:db8:1:2::1')).not.toBe(addressBucket('2001:db8:1:3::1'));
    expect(addressBucket('::ffff:192.0.2.1')).toBe('192.0.2.1');
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perAddress + 1; i++) statuses.push((await loginFrom(`2001:db8:aa:bb::${(i + 1).toString(16)}`, wrongKey())).status);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('login throttling without a trusted proxy', () => {
  it('counts the peer, whatever X-Forwarded-For says', async () => {
    const t = await startTestHub({ TRUST_PROXY: 'false' });
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perAddress + 2; i++) {
      statuses.push((await t.request.post('/api/auth/login').set('X-Forwarded-For', `192.0.2.${i + 1}`).send({ key: wrongKey() })).status);
    }
    expect(statuses.slice(LOGIN_LIMITS.perAddress)).toEqual([429, 429]);
    await t.close();
  });
});
