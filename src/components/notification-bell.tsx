import { useEffect, useState } from 'react';
import { listNotifications, markNotificationsRead, type NotificationsAnswer } from '../api/client';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { notificationText } from '../i18n/labels';
import { formatDateTime } from '../lib/format';
import { NavIcon } from './icons';
import { useRoute } from '../router';

const SEVERITY_BADGE: Record<string, string> = { success: 'badge-good', warning: 'badge-warn', error: 'badge-bad', info: 'badge-muted' };
const POLL_MS = 60_000;

/** The admins' bell: unread count, and the latest notifications on demand. */
export function NotificationBell() {
  const { path } = useRoute();
  // Fetched again on every page change (and every minute), so that the count stays current.
  const list = useAsync<NotificationsAnswer>((signal) => listNotifications(20, signal), [path]);
  const [open, setOpen] = useState(false);
  const unread = list.data?.unread ?? 0;

  useEffect(() => {
    const timer = setInterval(() => list.reload(), POLL_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="bell">
      <button
        type="button"
        className="button button-block bell-button"
        aria-expanded={open}
        aria-label={t('notifications.open', { count: unread })}
        onClick={() => {
          setOpen((v) => !v);
          if (!open) list.reload();
        }}
        data-testid="notification-bell"
      >
        <NavIcon name="bell" />
        {t('notifications.title')}
        {unread > 0 ? (
          <span className="badge badge-bad" data-testid="notification-unread">
            {unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="bell-panel card" role="dialog" aria-label={t('notifications.title')} data-testid="notification-panel">
          <div className="section-head">
            <strong>{t('notifications.title')}</strong>
            {unread > 0 ? (
              <button
                type="button"
                className="link-button"
                onClick={async () => {
                  await markNotificationsRead();
                  list.reload();
                }}
                data-testid="notification-mark-read"
              >
                {t('notifications.markAllRead')}
              </button>
            ) : null}
          </div>
          {list.data && list.data.data.length === 0 ? <p className="muted">{t('notifications.empty')}</p> : null}
          <ul className="bell-list">
            {(list.data?.data ?? []).map((n) => {
              const text = notificationText(n);
              return (
                <li key={n.id} className={n.readAt ? 'read' : 'unread'} data-testid="notification-item" data-type={n.type}>
                  <div>
                    <span className={`badge ${SEVERITY_BADGE[n.severity] ?? 'badge-muted'}`}>{n.type}</span> <strong>{text.title}</strong>
                  </div>
                  <p className="small">{text.message}</p>
                  <time className="muted small">{formatDateTime(n.createdAt)}</time>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
