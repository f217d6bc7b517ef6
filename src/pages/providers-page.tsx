import { useState } from 'react';
import {
  addCredential,
  createProvider,
  deleteCredential,
  deleteProvider,
  getModelHealth,
  getProviderCatalog,
  listProviders,
  runModelHealthChecks,
  updateCredential,
  updateProvider,
  type CatalogEntry,
  type HealthAnswer,
  type ModelHealthView,
  type Provider,
} from '../api/client';
import { ModelHealthList } from '../components/model-health-list';
import { ConfirmButton } from '../components/confirm-button';
import { CredentialForm } from '../components/credential-form';
import { CredentialList } from '../components/credential-list';
import { PageHeader } from '../components/layout';
import { ProviderForm, type ProviderSubmission } from '../components/provider-form';
import { EmptyState, ErrorState, FormError, Loading, errorMessage } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { capabilityLabel } from '../i18n/labels';
import { formatDateTime } from '../lib/format';
import { Link } from '../router';

interface ProvidersData {
  providers: Provider[];
  catalog: CatalogEntry[];
}

export function ProvidersPage() {
  const state = useAsync<ProvidersData>(async (signal) => {
    const [providers, catalog] = await Promise.all([listProviders(signal), getProviderCatalog(signal)]);
    return { providers, catalog };
  }, []);
  const health = useAsync<HealthAnswer>((signal) => getModelHealth(signal), []);
  const [checking, setChecking] = useState(false);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function checkNow() {
    setChecking(true);
    try {
      health.setData(await runModelHealthChecks());
    } catch (error) {
      setNotice(errorMessage(error));
    } finally {
      setChecking(false);
    }
  }

  const { data } = state;
  const available = data ? data.catalog.filter((entry) => !data.providers.some((p) => p.name === entry.id)) : [];

  async function add(submission: ProviderSubmission) {
    const provider = await createProvider(submission.provider);
    setAdding(false);
    setNotice(t('providers.added'));
    if (submission.credential) {
      try {
        await addCredential(provider.id, submission.credential);
      } catch (error) {
        setNotice(t('providers.addedCredentialFailed', { message: errorMessage(error) }));
      }
    }
    state.reload();
  }

  return (
    <section>
      <PageHeader
        title={t('providers.title')}
        actions={
          data && !adding ? (
            <>
              <button type="button" className="button" onClick={() => void checkNow()} disabled={checking} data-testid="health-check-now">
                {checking ? t('health.running') : t('health.runNow')}
              </button>
              <button
                type="button"
                className="button button-primary"
                onClick={() => {
                  setAdding(true);
                  setNotice(null);
                }}
                disabled={available.length === 0}
                title={available.length === 0 ? t('providers.allAdded') : undefined}
                data-testid="provider-add"
              >
                {t('providers.add')}
              </button>
            </>
          ) : null
        }
      />
      {health.data ? (
        <p className="muted small" data-testid="health-schedule">
          {health.data.nextRunAt
            ? t('health.schedule', { minutes: health.data.intervalMin ?? health.data.cron ?? '', time: formatDateTime(health.data.nextRunAt) })
            : t('health.scheduleOff')}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status" data-testid="providers-notice">
          {notice}
        </p>
      ) : null}
      {adding && data ? <ProviderForm catalog={available} onSubmit={add} onCancel={() => setAdding(false)} /> : null}
      {state.loading && !data ? <Loading /> : null}
      {state.error ? <ErrorState error={state.error} onRetry={state.reload} /> : null}
      {data && data.providers.length === 0 && !adding ? <EmptyState>{t('providers.empty')}</EmptyState> : null}
      {data ? (
        <div className="stack">
          {data.providers.map((provider) => (
            <ProviderCard
              key={provider.id}
              provider={provider}
              entry={data.catalog.find((e) => e.id === provider.name)}
              health={(health.data?.models ?? []).filter((m) => m.providerId === provider.id)}
              onChanged={state.reload}
            />
          ))}
        </div>
      ) : null}
    </section>
  );
}

function ProviderCard({ provider, entry, health, onChanged }: { provider: Provider; entry?: CatalogEntry; health: ModelHealthView[]; onChanged: () => void }) {
  const [editingUrl, setEditingUrl] = useState(false);
  const [baseUrl, setBaseUrl] = useState(provider.baseUrl ?? '');
  const [addingCredential, setAddingCredential] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const title = provider.displayName || entry?.displayName || provider.name;

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      onChanged();
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card provider-card" data-testid="provider-row" data-provider-id={provider.id} data-provider-name={provider.name}>
      <header className="card-header">
        <div>
          <h2 className="card-title">
            {title}
            <span className={`badge ${provider.enabled ? 'badge-good' : 'badge-muted'}`} data-testid="provider-enabled" data-enabled={provider.enabled}>
              {provider.enabled ? t('providers.enabled') : t('providers.disabled')}
            </span>
          </h2>
          <div className="muted small">
            <code>{provider.name}</code>
            {entry?.capabilities.length ? ` · ${entry.capabilities.map(capabilityLabel).join(', ')}` : null}
            {provider.region ? ` · ${provider.region}` : null}
          </div>
        </div>
        <div className="row-actions">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run(() => updateProvider(provider.id, { enabled: !provider.enabled }))}
            data-testid="provider-toggle"
          >
            {provider.enabled ? t('providers.disable') : t('providers.enable')}
          </button>
          <Link to="/rates" query={{ provider: provider.id }} className="button" data-testid="provider-rates-link">
            {t('providers.rates')}
          </Link>
          <ConfirmButton
            label={t('common.delete')}
            question={t('providers.confirmDelete', { name: title })}
            onConfirm={async () => {
              await run(() => deleteProvider(provider.id));
            }}
            testId="provider-delete"
          />
        </div>
      </header>

      <div className="kv">
        <span className="kv-key">{t('providers.baseUrl')}</span>
        {editingUrl ? (
          <form
            className="inline-edit"
            onSubmit={async (e) => {
              e.preventDefault();
              const ok = await run(() => updateProvider(provider.id, { baseUrl: baseUrl.trim() }));
              if (ok) setEditingUrl(false);
            }}
          >
            <input
              type="url"
              value={baseUrl}
              placeholder={entry?.defaultBaseUrl ?? ''}
              onChange={(e) => setBaseUrl(e.target.value)}
              aria-label={t('providers.baseUrl')}
              data-testid="provider-base-url-input"
            />
            <button type="submit" className="button button-primary" disabled={busy} data-testid="provider-base-url-save">
              {t('common.save')}
            </button>
            <button type="button" className="button" onClick={() => setEditingUrl(false)}>
              {t('common.cancel')}
            </button>
          </form>
        ) : (
          <span className="kv-value">
            <code data-testid="provider-base-url">
              {provider.baseUrl ||
                (entry?.defaultBaseUrl ? t('providers.defaultBaseUrl', { url: entry.defaultBaseUrl }) : t('common.none'))}
            </code>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setBaseUrl(provider.baseUrl ?? '');
                setEditingUrl(true);
              }}
              data-testid="provider-edit-base-url"
            >
              {t('common.edit')}
            </button>
          </span>
        )}
      </div>
      <FormError error={error} testId="provider-error" />

      <div className="section-head">
        <h3>{t('providers.credentials')}</h3>
        {!addingCredential ? (
          <button type="button" className="button" onClick={() => setAddingCredential(true)} data-testid="credential-add">
            {t('credentials.add')}
          </button>
        ) : null}
      </div>
      {addingCredential ? (
        <CredentialForm
          fields={entry?.credentialFields ?? []}
          credentialType={entry?.credentialType}
          onCancel={() => setAddingCredential(false)}
          onSubmit={async (input) => {
            await addCredential(provider.id, input);
            setAddingCredential(false);
            onChanged();
          }}
        />
      ) : null}
      <CredentialList
        providerId={provider.id}
        credentials={provider.credentials}
        onDelete={async (credential) => {
          await run(() => deleteCredential(provider.id, credential.id));
        }}
        onWeightChange={async (credential, weight) => {
          await updateCredential(provider.id, credential.id, { weight });
          onChanged();
        }}
        onEnabledChange={async (credential, enabled) => {
          await updateCredential(provider.id, credential.id, { enabled });
          onChanged();
        }}
      />

      <div className="section-head">
        <h3>{t('health.title')}</h3>
      </div>
      <ModelHealthList models={health} />
    </article>
  );
}
