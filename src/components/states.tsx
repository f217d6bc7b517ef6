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

/**
 * The end of a form: its error line, then Cancel (when the form can be left) and the submit button,
 * which says it is saving while `busy`. Test ids are `<testId>-error` and `<testId>-submit`.
 */
export function FormFooter(props: { error: string | null | undefined; busy: boolean; submitLabel: string; testId: string; onCancel?: () => void }) {
  return (
    <>
      <FormError error={props.error} testId={`${props.testId}-error`} />
      <div className="form-actions">
        {props.onCancel ? (
          <button type="button" className="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={props.busy} data-testid={`${props.testId}-submit`}>
          {props.busy ? t('common.saving') : props.submitLabel}
        </button>
      </div>
    </>
  );
}

/** The end of a paged list: the error of the last page asked for, and a button for the next page while there is one. */
export function LoadMore(props: { error: Error | null; hasMore: boolean; loading: boolean; onLoad: () => void; testId: string }) {
  return (
    <>
      {props.error ? <ErrorState error={props.error} onRetry={props.onLoad} /> : null}
      {props.hasMore ? (
        <div className="load-more">
          <button type="button" className="button" onClick={props.onLoad} disabled={props.loading} data-testid={props.testId}>
            {props.loading ? t('common.loading') : t('common.loadMore')}
          </button>
        </div>
      ) : null}
    </>
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
