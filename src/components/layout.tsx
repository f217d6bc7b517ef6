import { useEffect, useState, type ReactNode } from 'react';
import type { Role } from '../api/client';
import { t, type MessageKey } from '../i18n/en';
import { NavIcon } from './icons';
import { LocaleSwitch } from './locale-switch';
import { NotificationBell } from './notification-bell';
import { Link, useRoute } from '../router';
import { useSession, useUser } from '../session';

export interface NavItem {
  path: string;
  label: MessageKey;
  adminOnly: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { path: '/providers', label: 'nav.providers', adminOnly: true },
  { path: '/rates', label: 'nav.rates', adminOnly: true },
  { path: '/usage', label: 'nav.usage', adminOnly: true },
  { path: '/calls', label: 'nav.calls', adminOnly: true },
  { path: '/keys', label: 'nav.keys', adminOnly: true },
  { path: '/playground', label: 'nav.playground', adminOnly: false },
  { path: '/my-keys', label: 'nav.myKeys', adminOnly: false },
  { path: '/credits', label: 'nav.credits', adminOnly: false },
  { path: '/pricing', label: 'nav.pricing', adminOnly: false },
];

export function navItemsFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => role === 'admin' || !item.adminOnly);
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useSession();
  const route = useRoute();
  const [open, setOpen] = useState(false);

  // Close the phone menu after navigating.
  useEffect(() => setOpen(false), [route.path]);

  return (
    <div className={`shell${open ? ' nav-open' : ''}`}>
      <header className="topbar">
        <button
          type="button"
          className="nav-toggle"
          aria-label={t('common.menu')}
          aria-expanded={open}
          aria-controls="main-nav"
          data-testid="nav-toggle"
          onClick={() => setOpen((v) => !v)}
        >
          <span aria-hidden="true">☰</span>
        </button>
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          {t('app.title')}
        </Link>
      </header>
      <nav id="main-nav" className="sidebar" aria-label={t('nav.main')}>
        <div className="sidebar-brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span>{t('app.title')}</span>
        </div>
        <ul className="nav-list">
          {navItemsFor(user.role).map((item) => (
            <li key={item.path}>
              <Link
                to={item.path}
                className={`nav-link${route.path === item.path ? ' active' : ''}`}
                aria-current={route.path === item.path ? 'page' : undefined}
                data-testid={`nav-${item.path.slice(1)}`}
                // The route may not change (the current page's own link), so close the phone menu here too.
                onClick={() => setOpen(false)}
              >
                <span className="nav-icon">
                  <NavIcon name={item.path.slice(1)} />
                </span>
                {t(item.label)}
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          {user.role === 'admin' ? <NotificationBell /> : null}
          <div className="session-user" data-testid="session-user" title={user.did}>
            {t('nav.signedInAs', { name: user.name || user.did, role: t(`keys.role.${user.role}`) })}
          </div>
          <LocaleSwitch />
          <button type="button" className="button button-block" data-testid="logout" onClick={() => void signOut()}>
            {t('nav.logout')}
          </button>
        </div>
      </nav>
      <div className="nav-scrim" aria-hidden="true" onClick={() => setOpen(false)} />
      <main className="content">{children}</main>
    </div>
  );
}

export function PageHeader({ title, actions, intro }: { title: string; actions?: ReactNode; intro?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
