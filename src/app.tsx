import { useEffect, type ReactNode } from 'react';
import { Layout, NAV_ITEMS } from './components/layout';
import { ErrorState, Loading } from './components/states';
import { t } from './i18n/en';
import { useLocale } from './i18n/locale';
import { AuthorizePage } from './pages/authorize-page';
import { CallsPage } from './pages/calls-page';
import { CreditsPage } from './pages/credits-page';
import { KeysPage } from './pages/keys-page';
import { LoginPage } from './pages/login-page';
import { MyKeysPage } from './pages/my-keys-page';
import { PlaygroundPage } from './pages/playground-page';
import { PricingPage, PublicPricingPage } from './pages/pricing-page';
import { ProvidersPage } from './pages/providers-page';
import { RatesPage } from './pages/rates-page';
import { UsagePage } from './pages/usage-page';
import { navigate, useRoute } from './router';
import { useSession } from './session';

const PAGES: Record<string, () => ReactNode> = {
  '/providers': () => <ProvidersPage />,
  '/rates': () => <RatesPage />,
  '/usage': () => <UsagePage />,
  '/calls': () => <CallsPage />,
  '/keys': () => <KeysPage />,
  '/playground': () => <PlaygroundPage />,
  '/my-keys': () => <MyKeysPage />,
  '/credits': () => <CreditsPage />,
  '/pricing': () => <PricingPage />,
};

export function App() {
  const { state, refresh } = useSession();
  const route = useRoute();
  // Pages keep strings in memos and state: a new language mounts them afresh.
  const locale = useLocale();
  const role = state.status === 'authenticated' ? state.user.role : null;
  const home = role === 'admin' ? '/providers' : '/playground';

  useEffect(() => {
    if (role && (route.path === '/' || route.path === '/login')) navigate(home, undefined, { replace: true });
  }, [role, route.path, home]);

  if (state.status === 'loading') {
    return (
      <div className="center-screen">
        <Loading />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="center-screen">
        <ErrorState error={state.error} onRetry={() => void refresh()} />
      </div>
    );
  }
  // An app asking the user for a key: its own screen, signed in or not (API.md §16).
  if (route.path === '/auth/authorize') return <AuthorizePage />;
  // The price list is public: visitors see it without signing in.
  if (state.status === 'anonymous' && route.path === '/pricing') return <PublicPricingPage key={locale} />;
  if (state.status === 'anonymous') return <LoginPage key={locale} />;

  const item = NAV_ITEMS.find((entry) => entry.path === route.path);
  const page = PAGES[route.path];
  let body: ReactNode;
  if (!page || !item) {
    body = route.path === '/' || route.path === '/login' ? <Loading /> : <NotFound />;
  } else if (item.adminOnly && role !== 'admin') {
    body = <Forbidden />;
  } else {
    body = page();
  }
  return <Layout key={locale}>{body}</Layout>;
}

function Forbidden() {
  return (
    <div className="state state-empty" data-testid="forbidden">
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
    </div>
  );
}

function NotFound() {
  return (
    <div className="state state-empty" data-testid="not-found">
      <h1>{t('notFound.title')}</h1>
    </div>
  );
}
