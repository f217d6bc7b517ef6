/**
 * API.md §14 limits in the admin's tables: what is used of each limit next to it ("used / limit"),
 * and a small form to change them (an empty form removes them).
 */
import { useState, type FormEvent } from 'react';
import type { KeyLimits, LimitUsed } from '../api/client';
import { t } from '../i18n/en';
import { formatCredits } from '../lib/format';
import { FormFooter, errorMessage } from './states';

type Period = NonNullable<KeyLimits['budget']>['period'];

/** One line per limit: used / limit where a count is kept, the patterns otherwise. */
export function usedLines(limits: KeyLimits, used: LimitUsed | undefined): string[] {
  const out: string[] = [];
  const n = (v: number | null | undefined) => (v ?? 0).toLocaleString();
  if (limits.rpm !== null) out.push(t('limits.used.rpm', { used: n(used?.requests), n: limits.rpm.toLocaleString() }));
  if (limits.tpm !== null) out.push(t('limits.used.tpm', { used: n(used?.tokens), n: limits.tpm.toLocaleString() }));
  if (limits.maxConcurrent !== null) out.push(t('limits.used.maxConcurrent', { used: n(used?.concurrent), n: limits.maxConcurrent }));
  if (limits.models) out.push(t('limits.models', { models: limits.models.join(', ') }));
  if (limits.budget) out.push(t(`limits.used.budget.${limits.budget.period}`, { used: formatCredits(used?.budgetCredits ?? '0'), credits: formatCredits(limits.budget.credits) }));
  return out;
}

/** A table cell: the limits with what is used of them, and Edit. `fallback`: limits that apply when none are set (DEFAULT_KEY_LIMITS). */
export function LimitsCell(props: { limits: KeyLimits | null; fallback?: KeyLimits | null; used?: LimitUsed; testId: string; onSave?: (limits: KeyLimits | null) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const shown = props.limits ?? props.fallback ?? null;
  const lines = shown ? usedLines(shown, props.used) : [];
  return (
    <div className="limits-cell" data-testid={props.testId}>
      {lines.length ? (
        <ul className="limits-lines small">
          {lines.map((line, i) => (
            <li key={line} data-testid={`${props.testId}-line`}>
              {i === 0 && !props.limits ? t('limits.default') : null}
              {line}
            </li>
          ))}
        </ul>
      ) : (
        <span className="muted small">{t('limits.none')}</span>
      )}
      {props.onSave && !editing ? (
        <button type="button" className="button" onClick={() => setEditing(true)} data-testid={`${props.testId}-edit`}>
          {t('limits.edit')}
        </button>
      ) : null}
      {props.onSave && editing ? (
        <LimitsForm
          initial={props.limits}
          testId={`${props.testId}-form`}
          onCancel={() => setEditing(false)}
          onSave={async (limits) => {
            await props.onSave!(limits);
            setEditing(false);
          }}
        />
      ) : null}
    </div>
  );
}

const count = (text: string, field: string): number | null => {
  if (!text.trim()) return null;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new Error(t('limits.badNumber', { field }));
  return v;
};

/** The form's fields as limits (null when nothing is set); throws with a message for a bad number. */
export function limitsFromFields(f: { rpm: string; tpm: string; maxConcurrent: string; models: string; budget: string; period: Period }): KeyLimits | null {
  const models = f.models.split(',').map((m) => m.trim()).filter(Boolean);
  const limits: KeyLimits = {
    rpm: count(f.rpm, t('limits.rpmField')),
    tpm: count(f.tpm, t('limits.tpmField')),
    maxConcurrent: count(f.maxConcurrent, t('limits.maxConcurrentField')),
    models: models.length ? models : null,
    budget: f.budget.trim() ? { credits: f.budget.trim(), period: f.period } : null,
  };
  return Object.values(limits).every((v) => v === null) ? null : limits;
}

function LimitsForm(props: { initial: KeyLimits | null; testId: string; onCancel: () => void; onSave: (limits: KeyLimits | null) => Promise<void> }) {
  const i = props.initial;
  const text = (v: number | null | undefined) => (v == null ? '' : String(v));
  const [fields, setFields] = useState({
    rpm: text(i?.rpm),
    tpm: text(i?.tpm),
    maxConcurrent: text(i?.maxConcurrent),
    models: i?.models?.join(', ') ?? '',
    budget: i?.budget?.credits ?? '',
    period: (i?.budget?.period ?? 'day') as Period,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSave(limitsFromFields(fields));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const field = (name: 'rpm' | 'tpm' | 'maxConcurrent' | 'budget', label: string) => (
    <label className="field">
      <span>{label}</span>
      <input inputMode={name === 'budget' ? 'decimal' : 'numeric'} value={fields[name]} onChange={set(name)} data-testid={`${props.testId}-${name}`} />
    </label>
  );
  return (
    <form className="limits-form" onSubmit={submit} noValidate data-testid={props.testId}>
      <div className="form-grid">
        {field('rpm', t('limits.rpmField'))}
        {field('tpm', t('limits.tpmField'))}
        {field('maxConcurrent', t('limits.maxConcurrentField'))}
        <label className="field">
          <span>{t('limits.modelsField')}</span>
          <input value={fields.models} onChange={set('models')} placeholder="openai/*, gpt-4o-mini" data-testid={`${props.testId}-models`} />
        </label>
        {field('budget', t('limits.budgetField'))}
        <label className="field">
          <span>{t('limits.periodField')}</span>
          <select value={fields.period} onChange={set('period')} data-testid={`${props.testId}-period`}>
            {(['day', 'week', 'month', 'total'] as const).map((p) => (
              <option key={p} value={p}>
                {t(`limits.period.${p}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FormFooter error={error} busy={busy} submitLabel={t('common.save')} testId={props.testId} onCancel={props.onCancel} />
    </form>
  );
}
