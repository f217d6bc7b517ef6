import type { KeyLimits } from '../api/client';
import { t } from '../i18n/en';
import { formatCredits } from './format';

/** The limits a key carries, one phrase each (none when it has none of its own). */
export function describeLimits(limits: KeyLimits | null | undefined): string[] {
  if (!limits) return [];
  const out: string[] = [];
  if (limits.rpm !== null) out.push(t('limits.rpm', { n: limits.rpm.toLocaleString() }));
  if (limits.tpm !== null) out.push(t('limits.tpm', { n: limits.tpm.toLocaleString() }));
  if (limits.maxConcurrent !== null) out.push(t('limits.maxConcurrent', { n: limits.maxConcurrent }));
  if (limits.models) out.push(t('limits.models', { models: limits.models.join(', ') }));
  if (limits.budget) out.push(t(`limits.budget.${limits.budget.period}`, { credits: formatCredits(limits.budget.credits) }));
  return out;
}
