/**
 * Per-credential health and smooth weighted round-robin. State lives in memory for speed and is
 * mirrored to the database (off the request path) so admins see it and other instances honour it.
 */
import type { ProviderError } from '../../errors.js';

export interface CredentialState {
  id: string;
  providerId: string;
  weight: number;
  /** Smooth weighted round-robin accumulator. */
  current: number;
  disabled: boolean;
  disabledReason: string | null;
  cooldownUntil: number;
  failureCount: number;
}

export type CredentialChange = Pick<CredentialState, 'id' | 'disabled' | 'disabledReason' | 'cooldownUntil' | 'failureCount'> & {
  kind: 'success' | 'failure' | 'disabled' | 'cooldown';
};

export const COOLDOWN_BASE_MS = 5_000;
export const COOLDOWN_MAX_MS = 5 * 60_000;
/** Consecutive retryable failures (5xx, timeouts, resets) before a credential is cooled down. */
const FAILURES_BEFORE_COOLDOWN = 2;

export function backoffMs(failureCount: number): number {
  const steps = Math.max(0, failureCount - FAILURES_BEFORE_COOLDOWN);
  return Math.min(COOLDOWN_MAX_MS, COOLDOWN_BASE_MS * 2 ** steps);
}

export function isEligible(c: CredentialState, now: number): boolean {
  return !c.disabled && c.cooldownUntil <= now;
}

/** Smooth weighted round-robin (nginx): picks the eligible credential with the largest accumulator. */
export function pickCredential(all: CredentialState[], exclude: Set<string>, now = Date.now()): CredentialState | undefined {
  let total = 0;
  let best: CredentialState | undefined;
  for (const c of all) {
    if (exclude.has(c.id) || !isEligible(c, now)) continue;
    c.current += c.weight;
    total += c.weight;
    if (!best || c.current > best.current) best = c;
  }
  if (best) best.current -= total;
  return best;
}

/** Applies an upstream failure to the credential's state; returns what changed. */
export function recordFailure(c: CredentialState, err: ProviderError, now = Date.now()): CredentialChange {
  if (err.isAuthFailure) {
    c.disabled = true;
    c.disabledReason = `The provider rejected this credential (HTTP ${err.status})`;
    return { ...c, kind: 'disabled' };
  }
  if (err.status === 429) {
    c.failureCount += 1;
    const wait = err.retryAfter !== undefined ? Math.min(err.retryAfter * 1000, COOLDOWN_MAX_MS) : backoffMs(Math.max(c.failureCount, FAILURES_BEFORE_COOLDOWN));
    c.cooldownUntil = now + wait;
    return { ...c, kind: 'cooldown' };
  }
  if (err.retryable) {
    c.failureCount += 1;
    if (c.failureCount >= FAILURES_BEFORE_COOLDOWN) {
      c.cooldownUntil = now + backoffMs(c.failureCount);
      return { ...c, kind: 'cooldown' };
    }
  }
  return { ...c, kind: 'failure' };
}

export function recordSuccess(c: CredentialState): CredentialChange | null {
  if (c.failureCount === 0 && c.cooldownUntil === 0) return null;
  c.failureCount = 0;
  c.cooldownUntil = 0;
  return { ...c, kind: 'success' };
}
