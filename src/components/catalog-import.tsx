import { useState } from 'react';
import { ApiError, getPriceCatalog, importRates, type PriceCatalogAnswer, type Provider, type RateImportAnswer } from '../api/client';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { isDecimalString } from '../lib/decimal';
import { ErrorState, FormError, Loading, errorMessage } from './states';

const IMPORTABLE = new Set(['chatCompletion', 'embedding']);

/** Rates from the hub's price table: pick models, a margin and credits per USD, and import. */
export function CatalogImport({ provider, onImported }: { provider: Provider; onImported: () => void }) {
  const catalog = useAsync<PriceCatalogAnswer>((signal) => getPriceCatalog(provider.name, signal), [provider.name]);
  const [margin, setMargin] = useState('0.2');
  const [creditsPerUsd, setCreditsPerUsd] = useState('1');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [result, setResult] = useState<RateImportAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (catalog.loading && !catalog.data) return <Loading />;
  if (catalog.error) {
    if (catalog.error instanceof ApiError && catalog.error.status === 400) return <p className="muted" data-testid="catalog-not-priced">{t('catalog.notPriced')}</p>;
    return <ErrorState error={catalog.error} onRetry={catalog.reload} />;
  }
  const data = catalog.data!;
  const models = (data.providers[0]?.models ?? []).filter((m) => IMPORTABLE.has(m.type) && !m.deprecated);
  const needle = search.trim().toLowerCase();
  const shown = models.filter((m) => !needle || m.model.toLowerCase().includes(needle));

  async function run(models: string[] | 'all') {
    if (!isDecimalString(margin) || !isDecimalString(creditsPerUsd)) {
      setError(t('rates.invalidDecimal', { field: `${t('catalog.margin')} / ${t('catalog.creditsPerUsd')}` }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await importRates(provider.id, { models, margin: margin.trim(), creditsPerUsd: creditsPerUsd.trim() });
      setResult(answer);
      setSelected(new Set());
      onImported();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card form-card" data-testid="catalog-import">
      <h3>{t('catalog.title')}</h3>
      <p className="muted small">{t('catalog.source', { ...data.source })}</p>
      <div className="form-grid">
        <label className="field">
          <span>{t('catalog.margin')}</span>
          <input inputMode="decimal" value={margin} onChange={(e) => setMargin(e.target.value)} data-testid="catalog-margin" />
        </label>
        <label className="field">
          <span>{t('catalog.creditsPerUsd')}</span>
          <input inputMode="decimal" value={creditsPerUsd} onChange={(e) => setCreditsPerUsd(e.target.value)} data-testid="catalog-credits-per-usd" />
        </label>
        <label className="field">
          <span>{t('catalog.search')}</span>
          <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="gpt-4o" data-testid="catalog-search" />
        </label>
      </div>
      <div className="table-wrap catalog-list">
        <table className="table">
          <thead>
            <tr>
              <th />
              <th>{t('rates.model')}</th>
              <th>{t('rates.type')}</th>
              <th className="num">{t('catalog.inPer1M')}</th>
              <th className="num">{t('catalog.outPer1M')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.model} data-testid="catalog-row" data-model={m.model}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={m.model}
                    checked={selected.has(m.model)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(m.model);
                      else next.delete(m.model);
                      setSelected(next);
                    }}
                  />
                </td>
                <td className="nowrap">
                  <code>{m.model}</code> {m.tiered ? <span className="badge badge-muted">{t('catalog.tiered')}</span> : null}
                </td>
                <td>{t(`rates.type.${m.type as 'chatCompletion' | 'embedding'}`)}</td>
                <td className="num mono">{m.inputPer1M ?? t('common.none')}</td>
                <td className="num mono">{m.outputPer1M ?? t('common.none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FormError error={error} testId="catalog-error" />
      {result ? (
        <p className="notice" role="status" data-testid="catalog-result">
          {t('catalog.result', { created: result.created.length, updated: result.updated.length, unchanged: result.unchanged.length, skipped: result.skipped.length })}
        </p>
      ) : null}
      <div className="form-actions start">
        <button type="button" className="button" onClick={() => setSelected(new Set([...selected, ...shown.map((m) => m.model)]))}>
          {t('catalog.selectShown')}
        </button>
        <button type="button" className="button" onClick={() => setSelected(new Set())}>
          {t('catalog.clear')}
        </button>
        <button type="button" className="button button-primary" disabled={busy || selected.size === 0} onClick={() => void run([...selected])} data-testid="catalog-import-selected">
          {t('catalog.importSelected', { count: selected.size })}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void run('all')} data-testid="catalog-import-all">
          {t('catalog.importAll')}
        </button>
      </div>
    </div>
  );
}
