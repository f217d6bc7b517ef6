import type { CreatedAccessKey } from '../api/client';
import { t } from '../i18n/en';
import { CopyButton } from './copy-button';

/** A key just made, shown this once with a copy button (test ids `<prefix>-box`, `<prefix>`, `-copy`, `-dismiss`). */
export function CreatedKeyBox({ created, onDismiss, testIdPrefix }: { created: CreatedAccessKey; onDismiss: () => void; testIdPrefix: string }) {
  return (
    <div className="secret-box" role="status" data-testid={`${testIdPrefix}-box`}>
      <p>
        <strong>{created.name}</strong> — {t('keys.shownOnce')}
      </p>
      <div className="secret-row">
        <code className="secret" data-testid={testIdPrefix}>
          {created.key}
        </code>
        <CopyButton text={created.key} testId={`${testIdPrefix}-copy`} />
        <button type="button" className="button" onClick={onDismiss} data-testid={`${testIdPrefix}-dismiss`}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}

/** Active, revoked or expired, as a badge. */
export function KeyStatusBadge({ status, testId }: { status: 'active' | 'revoked' | 'expired'; testId?: string }) {
  return (
    <span className={`badge ${status === 'active' ? 'badge-good' : 'badge-bad'}`} data-testid={testId}>
      {t(`keys.status.${status}`)}
    </span>
  );
}
