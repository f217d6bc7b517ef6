import { useState } from 'react';
import { t } from '../i18n/en';
import { errorMessage } from './states';

export interface ConfirmButtonProps {
  label: string;
  question: string;
  onConfirm: () => void | Promise<void>;
  testId?: string;
  disabled?: boolean;
  /** Told what went wrong when `onConfirm` fails (cleared before each try); without it, the error propagates. */
  onError?: (message: string | null) => void;
}

/** A destructive action that asks inline before acting (no browser dialog to dismiss). */
export function ConfirmButton({ label, question, onConfirm, testId, disabled, onError }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button button-danger-quiet" data-testid={testId} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="button button-danger"
        data-testid={testId ? `${testId}-confirm` : undefined}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          onError?.(null);
          try {
            await onConfirm();
          } catch (err) {
            if (!onError) throw err;
            onError(errorMessage(err));
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {label}
      </button>
      <button type="button" className="button" onClick={() => setAsking(false)} disabled={busy}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
