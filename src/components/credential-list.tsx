import { useState } from 'react';
import { testCredential, type Credential, type CredentialTestResult } from '../api/client';
import { t } from '../i18n/en';
import { formatDateTime, formatInteger } from '../lib/format';
import { ConfirmButton } from './confirm-button';
import { errorMessage } from './states';

export function CredentialStatusBadge({ credential }: { credential: Credential }) {
  if (credential.status === 'cooldown') {
    return (
      <span className="badge badge-warn" data-testid="credential-status" data-status="cooldown">
        {credential.cooldownUntil
          ? t('credentials.status.cooldown', { time: formatDateTime(credential.cooldownUntil) })
          : t('credentials.status.cooldownNoTime')}
      </span>
    );
  }
  if (credential.status === 'disabled') {
    return (
      <span className="badge badge-bad" data-testid="credential-status" data-status="disabled" title={credential.disabledReason ?? undefined}>
        {credential.disabledReason
          ? t('credentials.status.disabledReason', { reason: credential.disabledReason })
          : t('credentials.status.disabled')}
      </span>
    );
  }
  return (
    <span className="badge badge-good" data-testid="credential-status" data-status="active">
      {t('credentials.status.active')}
    </span>
  );
}

export function maskedSummary(masked: Record<string, string> | null | undefined): string {
  if (!masked || typeof masked !== 'object') return t('common.none');
  const entries = Object.entries(masked);
  if (entries.length === 0) return t('common.none');
  if (entries.length === 1) return String(entries[0]![1]);
  return entries.map(([key, value]) => `${key}: ${value}`).join(' · ');
}

export interface CredentialListProps {
  providerId: string;
  credentials: Credential[];
  onDelete: (credential: Credential) => Promise<void>;
  onWeightChange: (credential: Credential, weight: number) => Promise<void>;
  /** Disable a credential by hand, or put a disabled one back in rotation. */
  onEnabledChange?: (credential: Credential, enabled: boolean) => Promise<void>;
}

export function CredentialList({ providerId, credentials, onDelete, onWeightChange, onEnabledChange }: CredentialListProps) {
  if (credentials.length === 0) return <p className="muted small">{t('providers.noCredentials')}</p>;
  return (
    <div className="table-wrap">
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('common.name')}</th>
            <th>{t('credentials.value')}</th>
            <th className="num">{t('credentials.weight')}</th>
            <th>{t('common.status')}</th>
            <th>{t('credentials.lastUsed')}</th>
            <th className="num">{t('credentials.usage')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {credentials.map((credential) => (
            <CredentialRow
              key={credential.id}
              providerId={providerId}
              credential={credential}
              onDelete={onDelete}
              onWeightChange={onWeightChange}
              onEnabledChange={onEnabledChange}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CredentialRow({
  providerId,
  credential,
  onDelete,
  onWeightChange,
  onEnabledChange,
}: {
  providerId: string;
  credential: Credential;
  onDelete: CredentialListProps['onDelete'];
  onWeightChange: CredentialListProps['onWeightChange'];
  onEnabledChange?: CredentialListProps['onEnabledChange'];
}) {
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CredentialTestResult | null>(null);
  const [editing, setEditing] = useState(false);
  const [weight, setWeight] = useState(String(credential.weight ?? 100));
  const [error, setError] = useState<string | null>(null);
  const [toggling, setToggling] = useState(false);

  async function toggle() {
    if (!onEnabledChange) return;
    setToggling(true);
    setError(null);
    try {
      await onEnabledChange(credential, credential.status === 'disabled');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setToggling(false);
    }
  }

  async function runTest() {
    setTesting(true);
    setResult(null);
    try {
      setResult(await testCredential(providerId, credential.id));
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    } finally {
      setTesting(false);
    }
  }

  async function saveWeight() {
    const n = Number(weight);
    if (!/^\d+$/.test(weight.trim()) || n < 1 || n > 10_000) {
      setError(t('credentials.weightInvalid'));
      return;
    }
    setError(null);
    try {
      await onWeightChange(credential, n);
      setEditing(false);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <tr data-testid="credential-row" data-credential-id={credential.id}>
      <td>{credential.name}</td>
      <td>
        <code className="masked" data-testid="credential-masked">
          {maskedSummary(credential.maskedValue)}
        </code>
      </td>
      <td className="num">
        {editing ? (
          <span className="inline-edit">
            <input
              type="number"
              min={1}
              max={10000}
              value={weight}
              onChange={(e) => setWeight(e.target.value)}
              aria-label={t('credentials.weight')}
              data-testid="credential-weight-input"
            />
            <button type="button" className="button" onClick={() => void saveWeight()} data-testid="credential-weight-save">
              {t('common.save')}
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="link-button"
            title={t('credentials.editWeight')}
            onClick={() => setEditing(true)}
            data-testid="credential-weight"
          >
            {credential.weight}
          </button>
        )}
      </td>
      <td>
        <CredentialStatusBadge credential={credential} />
      </td>
      <td>{credential.lastUsedAt ? formatDateTime(credential.lastUsedAt) : t('credentials.never')}</td>
      <td className="num">{formatInteger(credential.usageCount ?? 0)}</td>
      <td>
        <div className="row-actions">
          <button type="button" className="button" onClick={() => void runTest()} disabled={testing} data-testid="credential-test">
            {testing ? t('credentials.testing') : t('credentials.test')}
          </button>
          {onEnabledChange ? (
            <button
              type="button"
              className="button"
              disabled={toggling}
              onClick={() => void toggle()}
              data-testid="credential-toggle"
            >
              {credential.status === 'disabled' ? t('credentials.enable') : t('credentials.disable')}
            </button>
          ) : null}
          <ConfirmButton
            label={t('common.delete')}
            question={t('common.confirmDelete', { name: credential.name })}
            onConfirm={() => onDelete(credential)}
            testId="credential-delete"
          />
        </div>
        {result ? (
          <div className={`small ${result.ok ? 'text-good' : 'text-bad'}`} role="status" data-testid="credential-test-result" data-ok={result.ok}>
            {result.ok ? t('credentials.testOk') : t('credentials.testFailed', { message: result.message ?? '' })}
          </div>
        ) : null}
        {error ? <div className="small text-bad">{error}</div> : null}
      </td>
    </tr>
  );
}
