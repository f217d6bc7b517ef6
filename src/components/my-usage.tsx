import '../styles/member.css';
import { getUsageStats } from '../api/client';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { dayBoundary, toDateInput } from '../lib/format';
import { BreakdownTable, DailyView, daysAgo } from '../pages/usage-page';
import { useUser } from '../session';
import { EmptyState, ErrorState, Loading } from './states';

/** The signed-in user's own usage over the last 30 days: the admin's charts, filtered to their DID. */
export function MyUsage() {
  const user = useUser();
  const from = daysAgo(29);
  const to = toDateInput(new Date());
  const range = { from: dayBoundary(from, 'start'), to: dayBoundary(to, 'end'), userDid: user.did };
  const daily = useAsync((signal) => getUsageStats({ ...range, groupBy: 'day' }, signal), [user.did]);
  const byModel = useAsync((signal) => getUsageStats({ ...range, groupBy: 'model' }, signal), [user.did]);
  return (
    <div className="card" data-testid="my-usage">
      <h2 className="card-title">{t('credits.usage')}</h2>
      <h3 className="card-subtitle">{t('credits.usageByDay')}</h3>
      {daily.loading && !daily.data ? <Loading /> : null}
      {daily.error ? <ErrorState error={daily.error} onRetry={daily.reload} /> : null}
      {daily.data ? <DailyView rows={daily.data} from={from} to={to} /> : null}
      <h3 className="card-subtitle">{t('credits.usageByModel')}</h3>
      {byModel.loading && !byModel.data ? <Loading /> : null}
      {byModel.error ? <ErrorState error={byModel.error} onRetry={byModel.reload} /> : null}
      {byModel.data && byModel.data.length === 0 ? <EmptyState>{t('usage.empty')}</EmptyState> : null}
      {byModel.data && byModel.data.length > 0 ? <BreakdownTable rows={byModel.data} breakdown="model" /> : null}
    </div>
  );
}
