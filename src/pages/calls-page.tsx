import { useEffect, useState, type FormEvent } from 'react';
import { listApps, listModelCalls, listProviders, modelCallsExportUrl, type CallStatus, type ModelCall, type ModelCallFilters } from '../api/client';
import { CallDetails, CallsTable } from '../components/calls-table';
import { PageHeader } from '../components/layout';
import { EmptyState, ErrorState, Loading, LoadMore } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t, type MessageKey } from '../i18n/en';
import { localDateTimeToIso } from '../lib/format';

const STATUSES: CallStatus[] = ['processing', 'success', 'failed', 'aborted'];
const PAGE_SIZE = 50;

interface FilterForm {
  userDid: string;
  appId: string;
  model: string;
  status: CallStatus | '';
  from: string;
  to: string;
}

const EMPTY: FilterForm = { userDid: '', appId: '', model: '', status: '', from: '', to: '' };

function toFilters(form: FilterForm): ModelCallFilters {
  return {
    userDid: form.userDid.trim() || undefined,
    appId: form.appId.trim() || undefined,
    model: form.model.trim() || undefined,
    status: form.status || undefined,
    from: localDateTimeToIso(form.from),
    to: localDateTimeToIso(form.to),
  };
}

export function CallsPage() {
  const [form, setForm] = useState<FilterForm>(EMPTY);
  const [filters, setFilters] = useState<ModelCallFilters>({});
  const [calls, setCalls] = useState<ModelCall[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | null>(null);
  const [selected, setSelected] = useState<ModelCall | null>(null);
  const apps = useAsync((signal) => listApps(signal).catch(() => []), []);
  // Provider and credential names for the details panel (ids alone mean little to a reader).
  const names = useAsync(async (signal) => {
    const map = new Map<string, string>();
    for (const provider of await listProviders(signal).catch(() => [])) {
      map.set(provider.id, provider.displayName || provider.name);
      for (const credential of provider.credentials ?? []) map.set(credential.id, credential.name);
    }
    for (const app of apps.data ?? []) map.set(app.id, app.name);
    return map;
  }, [apps.data]);

  const first = useAsync((signal) => listModelCalls({ ...filters, limit: PAGE_SIZE }, signal), [filters]);
  useEffect(() => {
    if (first.data) {
      setCalls(first.data.data);
      setNext(first.data.next);
      setMoreError(null);
    }
  }, [first.data]);

  async function loadMore() {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listModelCalls({ ...filters, limit: PAGE_SIZE, cursor: next });
      setCalls((list) => [...list, ...page.data.filter((c) => !list.some((e) => e.id === c.id))]);
      setNext(page.next);
    } catch (error) {
      setMoreError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoadingMore(false);
    }
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    setSelected(null);
    setCalls([]);
    setNext(undefined);
    setFilters(toFilters(form));
  }

  const set = <K extends keyof FilterForm>(key: K, value: FilterForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  return (
    <section>
      <PageHeader
        title={t('calls.title')}
        actions={
          <a className="button" href={modelCallsExportUrl(filters)} download data-testid="calls-export">
            {t('calls.export')}
          </a>
        }
      />
      <form className="card filters" onSubmit={apply} data-testid="calls-filters">
        <div className="form-grid filters-grid">
          <label className="field">
            <span>{t('calls.user')}</span>
            <input value={form.userDid} onChange={(e) => set('userDid', e.target.value)} data-testid="calls-filter-user" />
          </label>
          <label className="field">
            <span>{t('calls.app')}</span>
            <select value={form.appId} onChange={(e) => set('appId', e.target.value)} data-testid="calls-filter-app">
              <option value="">{t('common.all')}</option>
              {(apps.data ?? []).map((app) => (
                <option key={app.id} value={app.id}>
                  {app.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('calls.model')}</span>
            <input value={form.model} placeholder="openai/gpt-4o-mini" onChange={(e) => set('model', e.target.value)} data-testid="calls-filter-model" />
          </label>
          <label className="field">
            <span>{t('calls.status')}</span>
            <select value={form.status} onChange={(e) => set('status', e.target.value as CallStatus | '')} data-testid="calls-filter-status">
              <option value="">{t('common.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`calls.status.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('common.from')}</span>
            <input type="datetime-local" value={form.from} onChange={(e) => set('from', e.target.value)} data-testid="calls-filter-from" />
          </label>
          <label className="field">
            <span>{t('common.to')}</span>
            <input type="datetime-local" value={form.to} onChange={(e) => set('to', e.target.value)} data-testid="calls-filter-to" />
          </label>
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              setForm(EMPTY);
              setCalls([]);
              setNext(undefined);
              setFilters({});
              setSelected(null);
            }}
          >
            {t('common.reset')}
          </button>
          <button type="submit" className="button button-primary" data-testid="calls-filter-apply">
            {t('common.apply')}
          </button>
        </div>
      </form>

      <div className={`master-detail${selected ? ' has-detail' : ''}`}>
        <div className="master">
          {first.loading && calls.length === 0 ? <Loading /> : null}
          {first.error ? <ErrorState error={first.error} onRetry={first.reload} /> : null}
          {!first.loading && !first.error && calls.length === 0 ? <EmptyState>{t('calls.empty')}</EmptyState> : null}
          {/* With the details panel open, the user column gives way (the panel shows the user). */}
          {calls.length > 0 ? <CallsTable calls={calls} selectedId={selected?.id} onSelect={setSelected} showUser={!selected} /> : null}
          <LoadMore error={moreError} hasMore={Boolean(next)} loading={loadingMore} onLoad={() => void loadMore()} testId="calls-load-more" />
        </div>
        {selected ? <CallDetails call={selected} names={names.data} onClose={() => setSelected(null)} /> : null}
      </div>
    </section>
  );
}
