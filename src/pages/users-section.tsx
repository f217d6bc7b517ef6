/** The admin's users, with their own limits (API.md §14): every key of a user counts against them. */
import { listUsers, setUserLimits, type LimitUsageAnswer } from '../api/client';
import { LimitsCell } from '../components/limits-editor';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { useAsync, type AsyncState } from '../hooks/use-async';
import { t } from '../i18n/en';
import { formatDateTime } from '../lib/format';

export function UsersSection({ usage }: { usage: AsyncState<LimitUsageAnswer> }) {
  const users = useAsync((signal) => listUsers(signal), []);
  return (
    <div className="card">
      <h2 className="card-title">{t('users.title')}</h2>
      {users.loading && !users.data ? <Loading /> : null}
      {users.error ? <ErrorState error={users.error} onRetry={users.reload} /> : null}
      {users.data && users.data.length === 0 ? <EmptyState>{t('users.empty')}</EmptyState> : null}
      {users.data && users.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('users.did')}</th>
                <th>{t('users.role')}</th>
                <th>{t('common.createdAt')}</th>
                <th title={t('limits.columnTitle')}>{t('limits.column')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.did} data-testid="user-row" data-user-did={user.did}>
                  <td>{user.name ?? t('common.none')}</td>
                  <td className="truncate truncate-narrow mono" title={user.did}>
                    {user.did}
                  </td>
                  <td>{user.role === 'admin' ? t('keys.role.admin') : t('keys.role.member')}</td>
                  <td className="nowrap">{formatDateTime(user.createdAt)}</td>
                  <td>
                    <LimitsCell
                      limits={user.limits}
                      used={usage.data?.users[user.did]}
                      testId="user-limits"
                      onSave={async (limits) => {
                        const saved = await setUserLimits(user.did, limits);
                        users.setData((list) => (list ?? []).map((u) => (u.did === user.did ? { ...u, limits: saved.limits } : u)));
                        usage.reload();
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
