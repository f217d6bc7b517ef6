import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import { backoffMs, isEligible, COOLDOWN_BASE_MS, COOLDOWN_MAX_MS, pickCredential, recordFailure, recordSuccess, type CredentialState } from './credential-pool.js';

const cred = (id: string, weight: number): CredentialState => ({ id, providerId: 'p', weight, current: 0, disabled: false, disabledReason: null, cooldownUntil: 0, failureCount: 0 });

describe('credential pool', () => {
  it('spreads picks by weight, smoothly', () => {
    const all = [cred('a', 5), cred('b', 1), cred('c', 1)];
    const picks = Array.from({ length: 7 }, () => pickCredential(all, new Set())!.id);
    expect(picks.filter((p) => p === 'a')).toHaveLength(5);
    expect(picks.filter((p) => p === 'b')).toHaveLength(1);
    // Smooth: never the heavy one three times in a row at the start (nginx order a a b a c a a).
    expect(picks.join('')).toBe('aabacaa');
  });

  it('skips excluded, disabled and cooling credentials', () => {
    const all = [cred('a', 1), cred('b', 1), cred('c', 1)];
    all[1]!.disabled = true;
    all[2]!.cooldownUntil = Date.now() + 10_000;
    expect(pickCredential(all, new Set())!.id).toBe('a');
    expect(pickCredential(all, new Set(['a']))).toBeUndefined();
  });

  it('disables on 401/403, cools down on 429 honouring Retry-After, and after repeated 5xx', () => {
    const now = 1_000_000;
    const a = cred('a', 1);
    expect(recordFailure(a, new ProviderError('nope', { kind: 'http', status: 401 }), now).kind).toBe('disabled');
    expect(a.disabled).toBe(true);
    const b = cred('b', 1);
    recordFailure(b, new ProviderError('slow down', { kind: 'http', status: 429, retryAfter: 7 }), now);
    expect(b.cooldownUntil).toBe(now + 7000);
    const c = cred('c', 1);
    expect(recordFailure(c, new ProviderError('boom', { kind: 'http', status: 500 }), now).kind).toBe('failure');
    expect(c.cooldownUntil).toBe(0);
    expect(recordFailure(c, new ProviderError('boom', { kind: 'connection' }), now).kind).toBe('cooldown');
    expect(c.cooldownUntil).toBe(now + backoffMs(2));
    recordFailure(c, new ProviderError('boom', { kind: 'timeout' }), now);
    expect(c.cooldownUntil).toBe(now + backoffMs(3));
    expect(backoffMs(3)).toBe(2 * backoffMs(2));
    expect(recordSuccess(c)?.kind).toBe('success');
    expect(c.failureCount).toBe(0);
    const d = cred('d', 1);
    expect(recordFailure(d, new ProviderError('bad request', { kind: 'http', status: 400 }), now).kind).toBe('failure');
    expect(d.failureCount).toBe(0);
  });

  it('caps every cooldown, a Retry-After of a day included, at COOLDOWN_MAX_MS', () => {
    const now = 1_000_000;
    expect(COOLDOWN_MAX_MS).toBe(5 * 60_000);
    const a = cred('a', 1);
    expect(recordFailure(a, new ProviderError('come back tomorrow', { kind: 'http', status: 429, retryAfter: 86_400 }), now)).toMatchObject({ kind: 'cooldown', cooldownUntil: now + COOLDOWN_MAX_MS });
    // Just under and at the cap, Retry-After is honoured to the second.
    const b = cred('b', 1);
    recordFailure(b, new ProviderError('slow down', { kind: 'http', status: 429, retryAfter: 299 }), now);
    expect(b.cooldownUntil).toBe(now + 299_000);
    recordFailure(b, new ProviderError('slow down', { kind: 'http', status: 429, retryAfter: 300 }), now);
    expect(b.cooldownUntil).toBe(now + COOLDOWN_MAX_MS);
    // Without Retry-After a 429 backs off like repeated 5xx: base, doubled, … up to the cap.
    const c = cred('c', 1);
    recordFailure(c, new ProviderError('slow down', { kind: 'http', status: 429 }), now);
    expect(c.cooldownUntil).toBe(now + COOLDOWN_BASE_MS);
    expect([1, 2, 3, 4, 7, 8, 10, 50].map(backoffMs)).toEqual([5_000, 5_000, 10_000, 20_000, 160_000, COOLDOWN_MAX_MS, COOLDOWN_MAX_MS, COOLDOWN_MAX_MS]);
    const d = cred('d', 1);
    d.failureCount = 40;
    recordFailure(d, new ProviderError('boom', { kind: 'http', status: 503 }), now);
    expect(d.cooldownUntil).toBe(now + COOLDOWN_MAX_MS);
  });

  it('takes a credential back the instant its cooldown ends', () => {
    const now = 1_000_000;
    const a = { ...cred('a', 1), cooldownUntil: now };
    expect(isEligible(a, now - 1)).toBe(false);
    expect(isEligible(a, now)).toBe(true);
    expect(pickCredential([a], new Set(), now - 1)).toBeUndefined();
    expect(pickCredential([a], new Set(), now)?.id).toBe('a');
  });

  it('says why a refused credential was disabled', () => {
    const a = cred('a', 1);
    expect(recordFailure(a, new ProviderError('nope', { kind: 'http', status: 403 }), 1)).toMatchObject({ kind: 'disabled', disabled: true, disabledReason: 'The provider rejected this credential (HTTP 403)' });
    expect(a).toMatchObject({ disabled: true, disabledReason: 'The provider rejected this credential (HTTP 403)', failureCount: 0, cooldownUntil: 0 });
  });

  it('counts repeated 429s without Retry-After and backs off further each time', () => {
    const now = 1_000_000;
    const a = cred('a', 1);
    const slowDown = new ProviderError('slow down', { kind: 'http', status: 429 });
    const waits = [1, 2, 3, 4].map(() => recordFailure(a, slowDown, now).cooldownUntil - now);
    expect(waits).toEqual([5_000, 5_000, 10_000, 20_000]);
    expect(a.failureCount).toBe(4);
  });

  it('clears a cooldown on success even with no failure counted, and reports nothing for a healthy credential', () => {
    const a = { ...cred('a', 1), cooldownUntil: 5 };
    expect(recordSuccess(a)).toMatchObject({ id: 'a', kind: 'success', failureCount: 0, cooldownUntil: 0 });
    expect(a.cooldownUntil).toBe(0);
    expect(recordSuccess(a)).toBeNull();
    const b = { ...cred('b', 1), failureCount: 1 };
    expect(recordSuccess(b)).toMatchObject({ kind: 'success', failureCount: 0, cooldownUntil: 0 });
    expect(b.failureCount).toBe(0);
  });

  it('breaks ties between equal accumulators in list order', () => {
    const all = [cred('a', 1), cred('b', 1)];
    expect(Array.from({ length: 4 }, () => pickCredential(all, new Set())!.id).join('')).toBe('abab');
    expect(all.map((c) => c.current)).toEqual([0, 0]);
  });
});
