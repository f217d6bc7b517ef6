import { useState } from 'react';
import { ApiError, getPublicPricing, type PublicPrice } from '../api/client';
import { PageHeader } from '../components/layout';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t, type MessageKey } from '../i18n/en';
import { Link } from '../router';

/** The public price list (`GET /api/pricing`): shown to anyone, signed in or not. */
export function PricingPage() {
  const prices = useAsync<PublicPrice[]>((signal) => getPublicPricing(signal), []);
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const rows = (prices.data ?? []).filter((p) => !needle || `${p.provider}/${p.model}`.toLowerCase().includes(needle));
  const signInFirst = prices.error instanceof ApiError && prices.error.status === 401;

  return (
    <section data-testid="pricing-page">
      <PageHeader title={t('pricing.title')} intro={t('pricing.intro')} />
      {prices.loading && !prices.data ? <Loading /> : null}
      {signInFirst ? (
        <EmptyState>
          {t('pricing.needsSignIn')}{' '}
          <Link to="/login" data-testid="pricing-sign-in">
            {t('pricing.signIn')}
          </Link>
        </EmptyState>
      ) : prices.error ? (
        <ErrorState error={prices.error} onRetry={prices.reload} />
      ) : null}
      {prices.data && prices.data.length === 0 ? <EmptyState>{t('pricing.empty')}</EmptyState> : null}
      {prices.data && prices.data.length > 0 ? (
        <div className="card">
          <label className="field inline-field">
            <span>{t('pricing.filter')}</span>
            <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="gpt-4o" data-testid="pricing-filter" />
          </label>
          <div className="table-wrap">
            <table className="table" data-testid="pricing-table">
              <thead>
                <tr>
                  <th>{t('pricing.model')}</th>
                  <th>{t('pricing.provider')}</th>
                  <th>{t('pricing.type')}</th>
                  <th className="num">{t('pricing.input')}</th>
                  <th className="num">{t('pricing.output')}</th>
                  <th className="num">{t('pricing.perImage')}</th>
                  <th className="num">{t('pricing.perSecond')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={`${p.provider}/${p.type}/${p.model}`} data-testid="pricing-row" data-model={`${p.provider}/${p.model}`}>
                    <td className="nowrap">
                      <code>{p.model}</code>
                    </td>
                    <td>{p.providerDisplayName}</td>
                    <td>{t(`rates.type.${RATE_TYPE[p.type]}` as MessageKey)}</td>
                    <td className="num mono" data-testid="pricing-input">
                      {p.inputCreditsPer1M}
                    </td>
                    <td className="num mono" data-testid="pricing-output">
                      {p.type === 'chat' || p.type === 'embedding' ? p.outputCreditsPer1M : t('common.none')}
                    </td>
                    <td className="num mono" data-testid="pricing-image">
                      {p.creditsPerImage ?? t('common.none')}
                    </td>
                    <td className="num mono" data-testid="pricing-second">
                      {p.creditsPerSecond ?? t('common.none')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}

const RATE_TYPE = { chat: 'chatCompletion', embedding: 'embedding', image: 'imageGeneration', audio: 'audio', video: 'video' } as const;

/** The price list for visitors: the page alone, with a way to sign in. */
export function PublicPricingPage() {
  return (
    <div className="public-page">
      <header className="public-header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          {t('app.title')}
        </span>
        <Link to="/login" className="button" data-testid="public-sign-in">
          {t('pricing.signIn')}
        </Link>
      </header>
      <main className="content">
        <PricingPage />
      </main>
    </div>
  );
}
