import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { t } from '../i18n/en';

export function Loading({ label }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const link = error instanceof ApiError ? error.link : undefined;
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <strong>{t('common.errorTitle')}</strong>
      <p>{error.message}</p>
      <div className="row-actions">
        {link ? (
          <a className="button" href={link} target="_blank" rel="noreferrer">
            {t('credits.topUp')}
          </a>
        ) : null}
        {onRetry ? (
          <button type="button" className="button" onClick={onRetry}>
            {t('common.retry')}
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function EmptyState({ children }: { children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      {children ?? t('common.empty')}
    </div>
  );
}

/** An inline error line for forms. */
export function FormError({ error, testId }: { error: string | null | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" data-testid={testId}>
      {error}
    </p>
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
