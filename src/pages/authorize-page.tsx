import '../styles/member.css';
import { useState } from 'react';
import { approveApp } from '../api/client';
import { FormError, errorMessage } from '../components/states';
import { t } from '../i18n/en';
import { deniedUrl, parseAuthorizeRequest } from '../lib/authorize-request';
import { describeLimits } from '../lib/limits';
import { useRoute } from '../router';
import { useSession } from '../session';
import { LoginPage } from './login-page';

/**
 * /auth/authorize (API.md §16): an app asks the user for a key. The user signs in if needed, sees
 * the app's name, where it sends them back and the limits the key will carry, then approves (the
 * hub answers the app's callback with a one-time code) or denies.
 */
export function AuthorizePage() {
  const { state } = useSession();
  const route = useRoute();
  const parsed = parseAuthorizeRequest(route.query);
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (state.status !== 'authenticated') {
    const app = parsed.ok ? parsed.request.app_name : parsed.appName;
    return <LoginPage intro={app ? t('authorize.signIn', { app }) : undefined} />;
  }
  if (!parsed.ok) {
    return (
      <div className="login-screen">
        <div className="login-card" data-testid="authorize-invalid">
          <h1>{t('common.errorTitle')}</h1>
          <p>{t('authorize.invalid', { reason: parsed.reason })}</p>
        </div>
      </div>
    );
  }

  const { request, callback } = parsed;
  const limits = describeLimits(request.limits);

  async function approve() {
    setBusy(true);
    setError(null);
    try {
      const { redirectUrl } = await approveApp(request);
      setLeaving(true);
      window.location.assign(redirectUrl);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  function deny() {
    setLeaving(true);
    window.location.assign(deniedUrl(callback, request.state));
  }

  return (
    <div className="login-screen">
      <div className="login-card authorize-card" data-testid="authorize-card">
        <div className="login-brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span>{t('app.title')}</span>
        </div>
        <h1 data-testid="authorize-title">{t('authorize.title', { app: request.app_name })}</h1>
        <p className="muted">{t('authorize.intro')}</p>
        <dl className="details-list">
          <div className="details-item">
            <dt>{t('authorize.app')}</dt>
            <dd data-testid="authorize-app">{request.app_name}</dd>
          </div>
          <div className="details-item">
            <dt>{t('authorize.callback')}</dt>
            <dd className="mono" data-testid="authorize-origin">
              {callback.origin}
            </dd>
          </div>
          <div className="details-item">
            <dt>{t('authorize.limits')}</dt>
            <dd data-testid="authorize-limits">{limits.length ? limits.join(' · ') : t('authorize.noLimits')}</dd>
          </div>
          <div className="details-item">
            <dt>{t('authorize.user')}</dt>
            <dd data-testid="authorize-user">{state.user.name || state.user.did}</dd>
          </div>
        </dl>
        <FormError error={error} testId="authorize-error" />
        {leaving ? (
          <p role="status" data-testid="authorize-leaving">
            {t('authorize.redirecting', { origin: callback.origin })}
          </p>
        ) : (
          <div className="form-actions">
            <button type="button" className="button" onClick={deny} disabled={busy} data-testid="authorize-deny">
              {t('authorize.deny')}
            </button>
            <button type="button" className="button button-primary" onClick={() => void approve()} disabled={busy} data-testid="authorize-approve">
              {busy ? t('authorize.approving') : t('authorize.approve')}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
