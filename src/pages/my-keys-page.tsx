import { useState, type FormEvent } from 'react';
import type { CreatedAccessKey } from '../api/client';
import { createMyKey, getMyLimits, listMyKeys, revokeMyKey } from '../api/client';
import { ConfirmButton } from '../components/confirm-button';
import { usedLines } from '../components/limits-editor';
import { CreatedKeyBox, KeyStatusBadge } from '../components/created-key-box';
import { PageHeader } from '../components/layout';
import { EmptyState, ErrorState, FormError, Loading, errorMessage } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { dayBoundary, formatCredits, formatDateTime, formatInteger, formatShortDateTime } from '../lib/format';
import { describeLimits } from '../lib/limits';
import { keyStatus } from './keys-page';

/** A signed-in user's own keys (API.md §16): made here, shown once, revoked here. */
export function MyKeysPage() {
  const keys = useAsync((signal) => listMyKeys(signal), []);
  const [created, setCreated] = useState<CreatedAccessKey | null>(null);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setError(t('providers.fieldRequired', { field: t('keys.name') }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setCreated(await createMyKey({ name: name.trim(), ...(expires ? { expiresAt: dayBoundary(expires, 'end') } : {}) }));
      setName('');
      setExpires('');
      keys.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <PageHeader title={t('nav.myKeys')} intro={t('myKeys.intro')} />
      <form className="card form-inline" onSubmit={submit} noValidate data-testid="my-key-form">
        <div className="form-grid">
          <label className="field">
            <span>{t('keys.name')}</span>
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="my-key-name" />
          </label>
          <label className="field">
            <span>{t('keys.expiresAt')}</span>
            <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} data-testid="my-key-expires" />
          </label>
        </div>
        <FormError error={error} testId="my-key-error" />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} data-testid="my-key-submit">
            {busy ? t('common.saving') : t('myKeys.create')}
          </button>
        </div>
      </form>

      {created ? <CreatedKeyBox created={created} onDismiss={() => setCreated(null)} testIdPrefix="my-key" /> : null}

      <MyLimits />

      <div className="card">
        {keys.loading && !keys.data ? <Loading /> : null}
        {keys.error ? <ErrorState error={keys.error} onRetry={keys.reload} /> : null}
        {keys.data && keys.data.length === 0 ? <EmptyState>{t('myKeys.empty')}</EmptyState> : null}
        {keys.data && keys.data.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="my-keys-table">
              <thead>
                <tr>
                  <th>{t('common.name')}</th>
                  <th>{t('common.status')}</th>
                  <th>{t('keys.lastUsed')}</th>
                  <th className="num">{t('myKeys.monthCalls')}</th>
                  <th className="num">{t('myKeys.monthCredits')}</th>
                  <th>{t('myKeys.limits')}</th>
                  <th>{t('keys.expires')}</th>
                  <th>{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((key) => {
                  const status = keyStatus(key);
                  const limits = describeLimits(key.limits);
                  return (
                    <tr key={key.id} data-testid="my-key-row" data-key-id={key.id} data-key-name={key.name} data-status={status}>
                      <td>
                        <div>{key.name}</div>
                        <div className="muted small">
                          <span className="mono">{key.keyPrefix}…</span>
                          {key.appId ? ` · ${t('keys.app')}: ${key.appId}` : null}
                        </div>
                      </td>
                      <td>
                        <KeyStatusBadge status={status} />
                      </td>
                      <td className="nowrap" title={key.lastUsedAt ? formatDateTime(key.lastUsedAt) : undefined} data-testid="my-key-last-used">
                        {key.lastUsedAt ? formatShortDateTime(key.lastUsedAt) : t('keys.never')}
                      </td>
                      <td className="num" data-testid="my-key-calls">
                        {formatInteger(key.usage.calls)}
                      </td>
                      <td className="num mono" data-testid="my-key-credits">
                        {formatCredits(key.usage.credits)}
                      </td>
                      <td className="small">{limits.length ? limits.join(' · ') : t('myKeys.noLimits')}</td>
                      <td className="nowrap">{key.expiresAt ? formatShortDateTime(key.expiresAt) : t('keys.never')}</td>
                      <td>
                        {status === 'revoked' ? null : (
                          <ConfirmButton
                            label={t('keys.revoke')}
                            question={t('keys.confirmRevoke', { name: key.name })}
                            testId="my-key-revoke"
                            onError={setError}
                            onConfirm={async () => {
                              await revokeMyKey(key.id);
                              keys.reload();
                            }}
                          />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </section>
  );
}

/** The limits that apply to the key this session signed in with, and what is used of each now (API.md §14). */
function MyLimits() {
  const report = useAsync((signal) => getMyLimits(signal), []);
  if (!report.data || report.data.subjects.length === 0) return null;
  return (
    <div className="card" data-testid="my-limits">
      <h2 className="card-title">{t('limits.mine')}</h2>
      <p className="muted small">{t('limits.mineIntro')}</p>
      <ul className="limits-lines">
        {report.data.subjects.map((s) => (
          <li key={s.kind} data-testid={`my-limits-${s.kind}`}>
            <strong>{t(`limits.kind.${s.kind}`)}</strong>
            {s.default ? ` (${t('limits.default').trim().replace(/:$/, '')})` : null}: {usedLines(s.limits, s.used).join(' · ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
