import { useState } from 'react';
import {
  checkRates,
  createModelRate,
  deleteModelRate,
  listModelRates,
  listProviders,
  updateModelRate,
  type ModelRate,
  type Provider,
  type RateCheckAnswer,
  type RateCheckItem,
} from '../api/client';
import { CatalogImport } from '../components/catalog-import';
import { ConfirmButton } from '../components/confirm-button';
import { PageHeader } from '../components/layout';
import { costUnit, RateForm, rateTypeLabel } from '../components/rate-form';
import { EmptyState, ErrorState, FormError, Loading } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { rateSideLabel } from '../i18n/labels';
import { costPerMillion } from '../lib/decimal';
import { navigate, useRoute } from '../router';

function showCost(value: string | undefined, type: string): string {
  if (!value) return t('common.none');
  try {
    return costUnit(type) === 'per_unit' ? value : costPerMillion(value);
  } catch {
    return value;
  }
}

export function RatesPage() {
  const route = useRoute();
  const providers = useAsync<Provider[]>((signal) => listProviders(signal), []);
  const requested = route.query.get('provider') ?? '';
  const list = providers.data ?? [];
  const selected = list.find((p) => p.id === requested) ?? list[0];

  return (
    <section>
      <PageHeader title={t('rates.title')} intro={t('rates.intro')} />
      {providers.loading && !providers.data ? <Loading /> : null}
      {providers.error ? <ErrorState error={providers.error} onRetry={providers.reload} /> : null}
      {providers.data && list.length === 0 ? <EmptyState>{t('rates.noProviders')}</EmptyState> : null}
      {selected ? (
        <>
          <label className="field inline-field">
            <span>{t('rates.provider')}</span>
            <select
              value={selected.id}
              onChange={(e) => navigate('/rates', { provider: e.target.value }, { replace: true })}
              data-testid="rates-provider-select"
            >
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName || p.name}
                </option>
              ))}
            </select>
          </label>
          <ProviderRates key={selected.id} provider={selected} />
        </>
      ) : null}
    </section>
  );
}

/** The rate check's flags of one rate, with what each side charges against what it costs. */
function RateFlags({ item }: { item?: RateCheckItem }) {
  if (!item) return null;
  const detail = item.sides
    .filter((s) => s.flags.length)
    .map((s) => t('rateCheck.detail', { side: rateSideLabel(s.side), rate: s.rate, cost: s.cost, margin: s.marginPercent ?? '—' }))
    .join('\n');
  return (
    <span className="flag-list" title={detail} data-testid="rate-flags">
      {item.flags.map((flag) => (
        <span key={flag} className={`badge ${flag === 'below_cost' ? 'badge-bad' : 'badge-warn'}`} data-flag={flag}>
          {t(`rateCheck.${flag}`)}
        </span>
      ))}
    </span>
  );
}

function ProviderRates({ provider }: { provider: Provider }) {
  const rates = useAsync<ModelRate[]>((signal) => listModelRates(provider.id, signal), [provider.id]);
  const check = useAsync<RateCheckAnswer>((signal) => checkRates(provider.id, signal), [provider.id, rates.data]);
  const flags = new Map((check.data?.flagged ?? []).map((f) => [f.rateId, f]));
  const [editing, setEditing] = useState<ModelRate | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  return (
    <div className="card">
      <div className="section-head">
        <h2 className="card-title">{provider.displayName || provider.name}</h2>
        <div className="row-actions">
          <button type="button" className="button" onClick={() => setImporting((v) => !v)} aria-expanded={importing} data-testid="rate-import-toggle">
            {t('catalog.import')}
          </button>
          {editing === null ? (
            <button type="button" className="button button-primary" onClick={() => setEditing('new')} data-testid="rate-add">
              {t('rates.add')}
            </button>
          ) : null}
        </div>
      </div>
      {importing ? <CatalogImport provider={provider} onImported={rates.reload} /> : null}
      {check.data && check.data.checked > 0 ? (
        <p className="muted small" data-testid="rate-check-summary">
          {t('rateCheck.summary', { flagged: check.data.flagged.length, checked: check.data.checked, drift: check.data.driftPercent })}
        </p>
      ) : null}
      {editing !== null ? (
        <RateForm
          key={editing === 'new' ? 'new' : editing.id}
          initial={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(null)}
          onSubmit={async (input) => {
            if (editing === 'new') await createModelRate(provider.id, input);
            else await updateModelRate(provider.id, editing.id, input);
            setEditing(null);
            rates.reload();
          }}
        />
      ) : null}
      <FormError error={error} />
      {rates.loading && !rates.data ? <Loading /> : null}
      {rates.error ? <ErrorState error={rates.error} onRetry={rates.reload} /> : null}
      {rates.data && rates.data.length === 0 ? <EmptyState>{t('rates.empty')}</EmptyState> : null}
      {rates.data && rates.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="rates-table">
            <thead>
              <tr>
                <th>{t('rates.model')}</th>
                <th>{t('rates.type')}</th>
                <th className="num">{t('rates.inputRate')}</th>
                <th className="num">{t('rates.outputRate')}</th>
                <th className="num" title={t('rates.unitCostInput')}>
                  {t('rates.costInShort')}
                </th>
                <th className="num" title={t('rates.unitCostOutput')}>
                  {t('rates.costOutShort')}
                </th>
                <th>{t('common.status')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rates.data.map((rate) => (
                <tr key={rate.id} data-testid="rate-row" data-rate-id={rate.id} data-model={rate.model}>
                  <td className="nowrap">
                    <code>{rate.model}</code>
                  </td>
                  <td>{rateTypeLabel(rate.type)}</td>
                  <td className="num mono" data-testid="rate-input">
                    {rate.inputRate}
                  </td>
                  <td className="num mono" data-testid="rate-output">
                    {rate.outputRate}
                  </td>
                  <td className="num mono">{showCost(rate.unitCosts?.input, rate.type)}</td>
                  <td className="num mono">{showCost(rate.unitCosts?.output, rate.type)}</td>
                  <td>
                    <RateFlags item={flags.get(rate.id)} />
                  </td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="button" onClick={() => setEditing(rate)} data-testid="rate-edit">
                        {t('common.edit')}
                      </button>
                      <ConfirmButton
                        label={t('common.delete')}
                        question={t('common.confirmDelete', { name: rate.model })}
                        testId="rate-delete"
                        onError={setError}
                        onConfirm={async () => {
                          await deleteModelRate(provider.id, rate.id);
                          rates.reload();
                        }}
                      />
                    </div>
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
