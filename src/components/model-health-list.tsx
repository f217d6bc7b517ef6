import type { ModelHealthView } from '../api/client';
import { t } from '../i18n/en';
import { formatDateTime, formatMs } from '../lib/format';

/** A provider's models with their latest health check: when, how fast, and why it failed. */
export function ModelHealthList({ models }: { models: ModelHealthView[] }) {
  if (models.length === 0) return <p className="muted small">{t('health.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="table health-table" data-testid="model-health">
        <thead>
          <tr>
            <th>{t('health.model')}</th>
            <th>{t('common.status')}</th>
            <th>{t('health.lastCheck')}</th>
            <th className="num">{t('health.latency')}</th>
            <th>{t('health.error')}</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={`${m.type}:${m.model}`} data-testid="model-health-row" data-model={m.model} data-ok={m.ok}>
              <td className="nowrap">
                <code>{m.model}</code>
              </td>
              <td>
                <span className={`badge ${m.ok ? 'badge-good' : 'badge-bad'}`}>{m.ok ? t('health.ok') : t('health.failing')}</span>
                <div className="muted small">{t('health.failures', { failures: m.failures24h, checks: m.checks24h })}</div>
              </td>
              <td className="nowrap">{formatDateTime(m.lastCheckedAt)}</td>
              <td className="num mono">{formatMs(m.latencyMs)}</td>
              <td className="small" data-testid="model-health-error">
                {m.error ?? t('common.none')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
