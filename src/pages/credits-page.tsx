import { useEffect, useState, type FormEvent } from 'react';
import { getCredits, grantCredits, listCreditTransactions, listModelCalls, type CreditTransaction } from '../api/client';
import { getUserInfo } from '../api/client';
import { CallsTable } from '../components/calls-table';
import { MyUsage } from '../components/my-usage';
import { PageHeader } from '../components/layout';
import { EmptyState, ErrorState, FormError, Loading, LoadMore, errorMessage } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { currencyLabel, transactionTypeLabel } from '../i18n/labels';
import { compareDecimals, isDecimalString } from '../lib/decimal';
import { formatCredits, formatDateTime } from '../lib/format';
import { useUser } from '../session';

export function CreditsPage() {
  const user = useUser();
  const credits = useAsync((signal) => getCredits(signal), []);
  // Where to buy credits: the payment link the hub knows (API.md §13), none with billing off.
  const info = useAsync((signal) => getUserInfo(signal), []);
  const buyLink = info.data ? info.data.paymentLink : undefined;
  return (
    <section>
      <PageHeader title={t('credits.title')} />
      {credits.loading && !credits.data ? <Loading /> : null}
      {credits.error ? <ErrorState error={credits.error} onRetry={credits.reload} /> : null}
      {credits.data ? (
        <div className="stat-grid">
          <div className="stat stat-large">
            <div className="stat-label">{t('credits.balance')}</div>
            <div className="stat-value" data-testid="credits-balance">
              {formatCredits(credits.data.balance)} <span className="muted small">{currencyLabel(credits.data.currency)}</span>
            </div>
            {buyLink ? (
              <a className="button button-primary" href={buyLink} target="_blank" rel="noreferrer" data-testid="credits-buy">
                {t('credits.topUp')}
              </a>
            ) : null}
          </div>
          <div className="stat">
            <div className="stat-label">{t('credits.pending')}</div>
            <div className="stat-value" data-testid="credits-pending">
              {formatCredits(credits.data.pending)}
            </div>
          </div>
        </div>
      ) : null}
      {user.role === 'admin' ? <GrantForm onGranted={credits.reload} /> : null}
      <MyUsage />
      <Transactions />
      <div className="card">
        <h2 className="card-title">{t('credits.myCalls')}</h2>
        <MyCalls userDid={user.role === 'admin' ? user.did : undefined} />
      </div>
    </section>
  );
}

function Transactions() {
  const first = useAsync((signal) => listCreditTransactions({ limit: 20 }, signal), []);
  const [items, setItems] = useState<CreditTransaction[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [moreError, setMoreError] = useState<Error | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    if (first.data) {
      setItems(first.data.data);
      setNext(first.data.next);
    }
  }, [first.data]);

  async function loadMore() {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listCreditTransactions({ limit: 20, cursor: next });
      setItems((list) => [...list, ...page.data]);
      setNext(page.next);
    } catch (error) {
      setMoreError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <div className="card">
      <h2 className="card-title">{t('credits.transactions')}</h2>
      {first.loading && !first.data ? <Loading /> : null}
      {first.error ? <ErrorState error={first.error} onRetry={first.reload} /> : null}
      {first.data && items.length === 0 ? <EmptyState>{t('credits.noTransactions')}</EmptyState> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="transactions-table">
            <thead>
              <tr>
                <th>{t('calls.time')}</th>
                <th>{t('credits.type')}</th>
                <th className="num">{t('credits.amount')}</th>
                <th>{t('credits.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((tx) => (
                <tr key={tx.id} data-testid="transaction-row">
                  <td className="nowrap">{formatDateTime(tx.createdAt)}</td>
                  <td>{transactionTypeLabel(tx.type)}</td>
                  <td className={`num mono ${String(tx.amount).startsWith('-') ? 'text-bad' : 'text-good'}`}>{formatCredits(String(tx.amount))}</td>
                  <td>{tx.reason ?? t('common.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore error={moreError} hasMore={Boolean(next)} loading={loadingMore} onLoad={() => void loadMore()} testId="transactions-load-more" />
    </div>
  );
}

function MyCalls({ userDid }: { userDid?: string }) {
  const calls = useAsync((signal) => listModelCalls({ userDid, limit: 20 }, signal), [userDid]);
  if (calls.loading && !calls.data) return <Loading />;
  if (calls.error) return <ErrorState error={calls.error} onRetry={calls.reload} />;
  if (!calls.data || calls.data.data.length === 0) return <EmptyState>{t('calls.empty')}</EmptyState>;
  return <CallsTable calls={calls.data.data} showUser={false} />;
}

function GrantForm({ onGranted }: { onGranted: () => void }) {
  const [userDid, setUserDid] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    if (!userDid.trim()) {
      setError(t('providers.fieldRequired', { field: t('credits.grantUser') }));
      return;
    }
    if (!isDecimalString(amount) || compareDecimals(amount.trim(), '0') === 0) {
      setError(t('rates.invalidDecimal', { field: t('credits.grantAmount') }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await grantCredits({ userDid: userDid.trim(), amount: amount.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setNotice(t('credits.granted', { amount: amount.trim(), user: userDid.trim() }));
      setAmount('');
      setReason('');
      onGranted();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate data-testid="grant-form">
      <h2 className="card-title">{t('credits.grant')}</h2>
      <div className="form-grid">
        <label className="field">
          <span>{t('credits.grantUser')}</span>
          <input value={userDid} onChange={(e) => setUserDid(e.target.value)} data-testid="grant-user" />
        </label>
        <label className="field">
          <span>{t('credits.grantAmount')}</span>
          <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="grant-amount" />
        </label>
        <label className="field">
          <span>{t('credits.grantReason')}</span>
          <input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="grant-reason" />
        </label>
      </div>
      <FormError error={error} testId="grant-error" />
      {notice ? (
        <p className="notice" role="status" data-testid="grant-notice">
          {notice}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="grant-submit">
          {busy ? t('common.saving') : t('credits.grant')}
        </button>
      </div>
    </form>
  );
}
