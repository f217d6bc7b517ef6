import type { ModelCall } from '../api/client';
import { t, type MessageKey } from '../i18n/en';
import { rateTypeLabel } from './rate-form';
import { formatCredits, formatDateTime, formatInteger, formatMs, formatShortDateTime } from '../lib/format';

const STATUS_CLASS: Record<string, string> = {
  success: 'badge-good',
  failed: 'badge-bad',
  aborted: 'badge-warn',
  processing: 'badge-muted',
};

export function CallStatusBadge({ status }: { status: string }) {
  const known = ['processing', 'success', 'failed', 'aborted'].includes(status);
  return (
    <span className={`badge ${STATUS_CLASS[status] ?? 'badge-muted'}`} data-status={status}>
      {known ? t(`calls.status.${status}` as MessageKey) : status}
    </span>
  );
}

export interface CallsTableProps {
  calls: ModelCall[];
  selectedId?: string | null;
  onSelect?: (call: ModelCall) => void;
  showUser?: boolean;
}

export function CallsTable({ calls, selectedId, onSelect, showUser = true }: CallsTableProps) {
  return (
    <div className="table-wrap">
      <table className="table calls-table" data-testid="calls-table">
        <thead>
          <tr>
            <th>{t('calls.time')}</th>
            <th>{t('calls.model')}</th>
            <th>{t('calls.status')}</th>
            <th className="num">{t('calls.tokens')}</th>
            <th className="num">{t('calls.credits')}</th>
            <th className="num">{t('calls.duration')}</th>
            {showUser ? <th>{t('calls.user')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => (
            <tr
              key={call.id}
              className={`${onSelect ? 'clickable' : ''}${selectedId === call.id ? ' selected' : ''}`}
              onClick={onSelect ? () => onSelect(call) : undefined}
              onKeyDown={
                onSelect
                  ? (e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onSelect(call);
                      }
                    }
                  : undefined
              }
              tabIndex={onSelect ? 0 : undefined}
              aria-selected={onSelect ? selectedId === call.id : undefined}
              data-testid="call-row"
              data-call-id={call.id}
              data-status={call.status}
            >
              <td className="nowrap" title={formatDateTime(call.createdAt)}>
                {formatShortDateTime(call.createdAt)}
              </td>
              <td className="nowrap">
                <code>{call.model}</code>
              </td>
              <td>
                <CallStatusBadge status={call.status} />
              </td>
              <td className="num">
                {formatInteger(call.inputTokens)} / {formatInteger(call.outputTokens)}
              </td>
              <td className="num mono">{formatCredits(call.credits)}</td>
              <td className="num">{formatMs(call.duration)}</td>
              {showUser ? (
                <td className="truncate" title={call.userDid ?? undefined}>
                  {call.userDid ?? t('common.none')}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `name (id)` when the id has a known name, else the id (or a dash). */
function named(id: string | null | undefined, names?: Map<string, string>): string {
  if (!id) return t('common.none');
  const name = names?.get(id);
  return name ? `${name} (${id})` : id;
}

export function CallDetails({ call, names, onClose }: { call: ModelCall; names?: Map<string, string>; onClose: () => void }) {
  const rows: Array<[MessageKey, string]> = [
    ['calls.field.id', call.id],
    ['calls.model', call.model],
    ['calls.field.type', rateTypeLabel(call.type)],
    ['calls.field.provider', named(call.providerId, names)],
    ['calls.field.credential', named(call.credentialId, names)],
    ['calls.field.inputTokens', formatInteger(call.inputTokens)],
    ['calls.field.outputTokens', formatInteger(call.outputTokens)],
    ['calls.credits', formatCredits(call.credits, 18)],
    ['calls.duration', formatMs(call.duration)],
    ['calls.field.ttfb', formatMs(call.ttfb)],
    ['calls.field.providerTtfb', formatMs(call.providerTtfb)],
    ['calls.field.user', call.userDid ?? t('common.none')],
    ['calls.field.app', named(call.appId, names)],
    ['calls.time', formatDateTime(call.createdAt)],
  ];
  return (
    <aside className="card details-panel" data-testid="call-details" aria-label={t('calls.details')}>
      <div className="section-head">
        <h2 className="card-title">{t('calls.details')}</h2>
        <button type="button" className="button" onClick={onClose} data-testid="call-details-close">
          {t('common.close')}
        </button>
      </div>
      <div className="details-status">
        <CallStatusBadge status={call.status} />
      </div>
      <dl className="details-list">
        {rows.map(([label, value]) => (
          <div key={label} className="details-item">
            <dt>{t(label)}</dt>
            <dd className="mono">{value}</dd>
          </div>
        ))}
        {call.errorReason ? (
          <div className="details-item details-error">
            <dt>{t('calls.field.error')}</dt>
            <dd data-testid="call-details-error">{call.errorReason}</dd>
          </div>
        ) : null}
      </dl>
    </aside>
  );
}
