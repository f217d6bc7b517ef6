import { useState, type FormEvent } from 'react';
import {
  getLimitUsage,
  setAppLimits,
  setKeyLimits,
  type LimitUsageAnswer,
  createAccessKey,
  createApp,
  deleteApp,
  listAccessKeys,
  listApps,
  revokeAccessKey,
  type AccessKey,
  type App,
  type CreatedAccessKey,
  type Role,
} from '../api/client';
import { ConfirmButton } from '../components/confirm-button';
import { LimitsCell } from '../components/limits-editor';
import { CreatedKeyBox, KeyStatusBadge } from '../components/created-key-box';
import { PageHeader } from '../components/layout';
import { EmptyState, ErrorState, FormFooter, Loading, errorMessage } from '../components/states';
import { useAsync, type AsyncState } from '../hooks/use-async';
import { t } from '../i18n/en';
import { dayBoundary, formatDateTime, formatShortDateTime } from '../lib/format';
import { UsersSection } from './users-section';

export function keyStatus(key: AccessKey, now = Date.now()): 'active' | 'revoked' | 'expired' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export function KeysPage() {
  const apps = useAsync((signal) => listApps(signal), []);
  // What each limited key, app and user has used, shown next to its limits.
  const usage = useAsync((signal) => getLimitUsage(signal), []);
  return (
    <section>
      <PageHeader title={t('nav.keys')} />
      <AccessKeysSection apps={apps.data ?? []} usage={usage} />
      <AppsSection state={apps} usage={usage} />
      <UsersSection usage={usage} />
    </section>
  );
}

function AccessKeysSection({ apps, usage }: { apps: App[]; usage: AsyncState<LimitUsageAnswer> }) {
  const keys = useAsync((signal) => listAccessKeys(signal), []);
  const [created, setCreated] = useState<CreatedAccessKey | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [userDid, setUserDid] = useState('');
  const [appId, setAppId] = useState('');
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
      const key = await createAccessKey({
        name: name.trim(),
        role,
        ...(userDid.trim() ? { userDid: userDid.trim() } : {}),
        ...(appId ? { appId } : {}),
        ...(expires ? { expiresAt: dayBoundary(expires, 'end') } : {}),
      });
      setCreated(key);
      setName('');
      setUserDid('');
      setAppId('');
      setExpires('');
      keys.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const appName = (id?: string | null) => (id ? apps.find((a) => a.id === id)?.name ?? id : t('common.none'));

  return (
    <div className="card">
      <h2 className="card-title">{t('keys.title')}</h2>
      <form className="form-inline" onSubmit={submit} noValidate data-testid="create-key-form">
        <div className="form-grid">
          <label className="field">
            <span>{t('keys.name')}</span>
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="create-key-name" />
          </label>
          <label className="field">
            <span>{t('keys.role')}</span>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="create-key-role">
              <option value="member">{t('keys.role.member')}</option>
              <option value="admin">{t('keys.role.admin')}</option>
            </select>
          </label>
          <label className="field">
            <span>{t('keys.userDid')}</span>
            <input value={userDid} onChange={(e) => setUserDid(e.target.value)} data-testid="create-key-user" />
          </label>
          <label className="field">
            <span>{t('keys.appId')}</span>
            <select value={appId} onChange={(e) => setAppId(e.target.value)} data-testid="create-key-app">
              <option value="">{t('common.none')}</option>
              {apps.map((app) => (
                <option key={app.id} value={app.id}>
                  {app.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('keys.expiresAt')}</span>
            <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} data-testid="create-key-expires" />
          </label>
        </div>
        <FormFooter error={error} busy={busy} submitLabel={t('keys.create')} testId="create-key" />
      </form>

      {created ? <CreatedKeyBox created={created} onDismiss={() => setCreated(null)} testIdPrefix="created-key" /> : null}

      {keys.loading && !keys.data ? <Loading /> : null}
      {keys.error ? <ErrorState error={keys.error} onRetry={keys.reload} /> : null}
      {keys.data && keys.data.length === 0 ? <EmptyState>{t('keys.empty')}</EmptyState> : null}
      {keys.data && keys.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="keys-table">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('keys.role')}</th>
                <th>{t('common.status')}</th>
                <th>{t('keys.user')}</th>
                <th>{t('keys.app')}</th>
                <th>{t('keys.lastUsed')}</th>
                <th>{t('keys.expires')}</th>
                <th title={t('limits.columnTitle')}>{t('limits.column')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => {
                const status = keyStatus(key);
                return (
                  <tr key={key.id} data-testid="key-row" data-key-id={key.id} data-key-name={key.name} data-status={status}>
                    <td>
                      <div>{key.name}</div>
                      <div className="muted small" title={formatDateTime(key.createdAt)}>
                        {t('keys.createdOn', { date: formatShortDateTime(key.createdAt) })}
                      </div>
                    </td>
                    <td>
                      <span className={`badge ${key.role === 'admin' ? 'badge-accent' : 'badge-muted'}`}>
                        {key.role === 'admin' ? t('keys.role.admin') : t('keys.role.member')}
                      </span>
                    </td>
                    <td>
                      <KeyStatusBadge status={status} testId="key-status" />
                    </td>
                    <td className="truncate truncate-narrow mono" title={key.userDid}>
                      {key.userDid}
                    </td>
                    <td>{appName(key.appId)}</td>
                    <td className="nowrap" title={key.lastUsedAt ? formatDateTime(key.lastUsedAt) : undefined}>
                      {key.lastUsedAt ? formatShortDateTime(key.lastUsedAt) : t('keys.never')}
                    </td>
                    <td className="nowrap" title={key.expiresAt ? formatDateTime(key.expiresAt) : undefined}>
                      {key.expiresAt ? formatShortDateTime(key.expiresAt) : t('keys.never')}
                    </td>
                    <td>
                      <LimitsCell
                        limits={key.limits}
                        fallback={key.role === 'member' ? usage.data?.defaultKeyLimits : null}
                        used={usage.data?.keys[key.id]}
                        testId="key-limits"
                        onSave={
                          status === 'revoked'
                            ? undefined
                            : async (limits) => {
                                const saved = await setKeyLimits(key.id, limits);
                                keys.setData((list) => (list ?? []).map((k) => (k.id === key.id ? { ...k, limits: saved.limits } : k)));
                                usage.reload();
                              }
                        }
                      />
                    </td>
                    <td>
                      {status === 'revoked' ? null : (
                        <ConfirmButton
                          label={t('keys.revoke')}
                          question={t('keys.confirmRevoke', { name: key.name })}
                          testId="key-revoke"
                          onError={setError}
                          onConfirm={async () => {
                            await revokeAccessKey(key.id);
                            const revokedAt = new Date().toISOString();
                            keys.setData((list) => (list ?? []).map((k) => (k.id === key.id ? { ...k, revokedAt } : k)));
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
  );
}

function AppsSection({ state, usage }: { state: AsyncState<App[]>; usage: AsyncState<LimitUsageAnswer> }) {
  const [name, setName] = useState('');
  const [did, setDid] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setError(t('providers.fieldRequired', { field: t('apps.name') }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createApp({ name: name.trim(), ...(did.trim() ? { did: did.trim() } : {}) });
      setName('');
      setDid('');
      state.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card">
      <h2 className="card-title">{t('apps.title')}</h2>
      <form className="form-inline" onSubmit={submit} noValidate data-testid="create-app-form">
        <div className="form-grid">
          <label className="field">
            <span>{t('apps.name')}</span>
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="create-app-name" />
          </label>
          <label className="field">
            <span>{t('apps.did')}</span>
            <input value={did} onChange={(e) => setDid(e.target.value)} data-testid="create-app-did" />
          </label>
        </div>
        <FormFooter error={error} busy={busy} submitLabel={t('apps.create')} testId="create-app" />
      </form>
      {state.loading && !state.data ? <Loading /> : null}
      {state.error ? <ErrorState error={state.error} onRetry={state.reload} /> : null}
      {state.data && state.data.length === 0 ? <EmptyState>{t('apps.empty')}</EmptyState> : null}
      {state.data && state.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="apps-table">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('apps.didColumn')}</th>
                <th>{t('common.createdAt')}</th>
                <th title={t('limits.columnTitle')}>{t('limits.column')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.map((app) => (
                <tr key={app.id} data-testid="app-row" data-app-id={app.id}>
                  <td>{app.name}</td>
                  <td className="truncate mono">{app.did ?? t('common.none')}</td>
                  <td className="nowrap">{formatDateTime(app.createdAt)}</td>
                  <td>
                    <LimitsCell
                      limits={app.limits}
                      used={usage.data?.apps[app.id]}
                      testId="app-limits"
                      onSave={async (limits) => {
                        const saved = await setAppLimits(app.id, limits);
                        state.setData((list) => (list ?? []).map((a) => (a.id === app.id ? { ...a, limits: saved.limits } : a)));
                        usage.reload();
                      }}
                    />
                  </td>
                  <td>
                    <ConfirmButton
                      label={t('common.delete')}
                      question={t('common.confirmDelete', { name: app.name })}
                      testId="app-delete"
                      onError={setError}
                      onConfirm={async () => {
                        await deleteApp(app.id);
                        state.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
