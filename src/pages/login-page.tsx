import { useState, type FormEvent, type ReactNode } from 'react';
import { FormError, errorMessage } from '../components/states';
import { blockletLoginHref, useBlocklet } from '../blocklet';
import { LocaleSwitch } from '../components/locale-switch';
import { t } from '../i18n/en';
import { useSession } from '../session';

export interface LoginFormProps {
  onSubmit: (key: string) => Promise<void>;
}

export function LoginForm({ onSubmit }: LoginFormProps) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError(t('login.keyRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(trimmed);
    } catch (err) {
      setError(t('login.failed', { message: errorMessage(err) }));
      setBusy(false);
    }
  }

  return (
    <form className="login-form" onSubmit={submit} noValidate data-testid="login-form">
      <label className="field">
        <span>{t('login.key')}</span>
        <input
          type="password"
          name="key"
          autoComplete="current-password"
          placeholder={t('login.keyPlaceholder')}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error ? true : undefined}
          data-testid="login-key"
          autoFocus
        />
      </label>
      <FormError error={error} testId="login-error" />
      <button type="submit" className="button button-primary button-block" disabled={busy} data-testid="login-submit">
        {busy ? t('login.submitting') : t('login.submit')}
      </button>
    </form>
  );
}

/** `intro` replaces the usual line under the title (e.g. an app asking the user for a key). */
export function LoginPage({ intro }: { intro?: ReactNode } = {}) {
  const { signIn } = useSession();
  const blocklet = useBlocklet();
  return (
    <div className="login-screen">
      <div className="login-card">
        <div className="login-brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span>{t('app.title')}</span>
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted" data-testid="login-intro">
          {intro ?? (blocklet ? t('login.blockletIntro') : t('login.intro'))}
        </p>
        {/* The server's login comes back to this very page (an app's key request too). */}
        {blocklet ? (
          <>
            <a className="button button-primary button-block" href={blockletLoginHref(blocklet)} data-testid="blocklet-login">
              {t('login.blocklet')}
            </a>
            <p className="muted">{t('login.orKey')}</p>
          </>
        ) : null}
        <LoginForm onSubmit={signIn} />
        <LocaleSwitch />
      </div>
    </div>
  );
}
