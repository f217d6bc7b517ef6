import { useMemo, useState } from 'react';
import { getUsageStats, listApps, listProviders, type UsageGroupBy, type UsageRow } from '../api/client';
import { PageHeader } from '../components/layout';
import { LineChart } from '../components/line-chart';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { rateTypeLabel } from '../components/rate-form';
import { t, type MessageKey } from '../i18n/en';
import { sumDecimals } from '../lib/decimal';
import { dayBoundary, daysBetween, formatAxisMs, formatCredits, formatInteger, formatMs, formatPercent, toDateInput } from '../lib/format';

type Breakdown = Exclude<UsageGroupBy, 'day'>;
const BREAKDOWNS: Breakdown[] = ['model', 'type', 'provider', 'app', 'user'];

const COLORS = {
  calls: '#4f46e5',
  errors: '#dc2626',
  input: '#0891b2',
  output: '#7c3aed',
  credits: '#059669',
  p50: '#2563eb',
  p95: '#d97706',
};

export function daysAgo(n: number): string {
  const date = new Date();
  date.setDate(date.getDate() - n);
  return toDateInput(date);
}

/** Day rows aligned on every day of the range, zero-filled where the hub had nothing. */
export function alignDays(rows: UsageRow[], from: string, to: string): { labels: string[]; rows: Array<UsageRow | null> } {
  const byDay = new Map(rows.map((row) => [row.key.slice(0, 10), row]));
  const labels = daysBetween(from, to);
  if (labels.length === 0) {
    const sorted = [...rows].sort((a, b) => a.key.localeCompare(b.key));
    return { labels: sorted.map((r) => r.key.slice(0, 10)), rows: sorted };
  }
  for (const day of byDay.keys()) if (!labels.includes(day) && /^\d{4}-\d{2}-\d{2}$/.test(day)) labels.push(day);
  labels.sort();
  return { labels, rows: labels.map((day) => byDay.get(day) ?? null) };
}

export function UsagePage() {
  const [from, setFrom] = useState(() => daysAgo(29));
  const [to, setTo] = useState(() => toDateInput(new Date()));
  const [breakdown, setBreakdown] = useState<Breakdown>('model');
  const range = { from: dayBoundary(from, 'start'), to: dayBoundary(to, 'end') };

  const daily = useAsync((signal) => getUsageStats({ ...range, groupBy: 'day' }, signal), [from, to]);
  const grouped = useAsync((signal) => getUsageStats({ ...range, groupBy: breakdown }, signal), [from, to, breakdown]);
  const names = useAsync(async (signal) => {
    const [providers, apps] = await Promise.all([listProviders(signal).catch(() => []), listApps(signal).catch(() => [])]);
    const map = new Map<string, string>();
    for (const p of providers) map.set(p.id, p.displayName || p.name);
    for (const a of apps) map.set(a.id, a.name);
    return map;
  }, []);

  function preset(days: number) {
    setFrom(daysAgo(days - 1));
    setTo(toDateInput(new Date()));
  }

  return (
    <section>
      <PageHeader title={t('usage.title')} />
      <div className="toolbar" role="group" aria-label={t('usage.range')}>
        <div className="segmented">
          <button type="button" className="button" onClick={() => preset(7)} data-testid="usage-preset-7">
            {t('usage.last7')}
          </button>
          <button type="button" className="button" onClick={() => preset(30)} data-testid="usage-preset-30">
            {t('usage.last30')}
          </button>
          <button type="button" className="button" onClick={() => preset(90)} data-testid="usage-preset-90">
            {t('usage.last90')}
          </button>
        </div>
        <label className="field inline-field">
          <span>{t('common.from')}</span>
          <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} data-testid="usage-from" />
        </label>
        <label className="field inline-field">
          <span>{t('common.to')}</span>
          <input type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} data-testid="usage-to" />
        </label>
      </div>

      {daily.loading && !daily.data ? <Loading /> : null}
      {daily.error ? <ErrorState error={daily.error} onRetry={daily.reload} /> : null}
      {daily.data ? <DailyView rows={daily.data} from={from} to={to} /> : null}

      <div className="card">
        <div className="section-head">
          <h2 className="card-title">{t('usage.breakdown')}</h2>
          <div className="tabs" role="tablist">
            {BREAKDOWNS.map((b) => (
              <button
                key={b}
                type="button"
                role="tab"
                aria-selected={breakdown === b}
                className={`tab${breakdown === b ? ' active' : ''}`}
                onClick={() => setBreakdown(b)}
                data-testid={`usage-breakdown-tab-${b}`}
              >
                {t(`usage.by.${b}` as MessageKey)}
              </button>
            ))}
          </div>
        </div>
        {grouped.loading && !grouped.data ? <Loading /> : null}
        {grouped.error ? <ErrorState error={grouped.error} onRetry={grouped.reload} /> : null}
        {grouped.data && grouped.data.length === 0 ? <EmptyState>{t('usage.empty')}</EmptyState> : null}
        {grouped.data && grouped.data.length > 0 ? (
          <BreakdownTable rows={grouped.data} names={names.data} breakdown={breakdown} />
        ) : null}
      </div>
    </section>
  );
}

export function DailyView({ rows, from, to }: { rows: UsageRow[]; from: string; to: string }) {
  const { labels, rows: aligned } = useMemo(() => alignDays(rows, from, to), [rows, from, to]);
  const totals = useMemo(
    () => ({
      calls: rows.reduce((n, r) => n + r.calls, 0),
      errors: rows.reduce((n, r) => n + r.errors, 0),
      inputTokens: rows.reduce((n, r) => n + r.inputTokens, 0),
      outputTokens: rows.reduce((n, r) => n + r.outputTokens, 0),
      credits: sumDecimals(rows.map((r) => r.credits)),
    }),
    [rows],
  );
  const pick = (f: (r: UsageRow) => number | null) => aligned.map((r) => (r ? f(r) : 0));
  const pickLatency = (f: (r: UsageRow) => number | null) => aligned.map((r) => (r ? f(r) : null));
  const errorRate = totals.calls > 0 ? formatPercent(totals.errors / totals.calls) : t('common.none');

  return (
    <>
      <div className="stat-grid" data-testid="usage-totals">
        <Stat label={t('usage.calls')} value={formatInteger(totals.calls)} testId="usage-total-calls" />
        <Stat label={t('usage.errors')} value={`${formatInteger(totals.errors)} · ${errorRate}`} testId="usage-total-errors" />
        <Stat
          label={t('usage.tokens')}
          value={formatInteger(totals.inputTokens + totals.outputTokens)}
          hint={`${formatInteger(totals.inputTokens)} / ${formatInteger(totals.outputTokens)}`}
          testId="usage-total-tokens"
        />
        <Stat label={t('usage.credits')} value={formatCredits(totals.credits)} testId="usage-total-credits" />
      </div>
      {rows.length === 0 ? <EmptyState>{t('usage.empty')}</EmptyState> : null}
      <div className="chart-grid" data-testid="usage-chart">
        <LineChart
          title={`${t('usage.calls')} / ${t('usage.errors')}`}
          testId="usage-chart-calls"
          labels={labels}
          series={[
            { label: t('usage.calls'), color: COLORS.calls, values: pick((r) => r.calls) },
            { label: t('usage.errors'), color: COLORS.errors, values: pick((r) => r.errors) },
          ]}
        />
        <LineChart
          title={t('usage.tokens')}
          testId="usage-chart-tokens"
          labels={labels}
          series={[
            { label: t('usage.inputTokens'), color: COLORS.input, values: pick((r) => r.inputTokens) },
            { label: t('usage.outputTokens'), color: COLORS.output, values: pick((r) => r.outputTokens) },
          ]}
        />
        <LineChart
          title={t('usage.credits')}
          testId="usage-chart-credits"
          labels={labels}
          // Plotting needs numbers; the totals and tables show the exact decimal strings.
          series={[{ label: t('usage.credits'), color: COLORS.credits, values: pick((r) => Number(r.credits) || 0) }]}
        />
        <LineChart
          title={t('usage.latency')}
          testId="usage-chart-latency"
          labels={labels}
          format={(v) => formatMs(v)}
          axisFormat={formatAxisMs}
          series={[
            { label: t('usage.p50'), color: COLORS.p50, values: pickLatency((r) => r.p50Ms) },
            { label: t('usage.p95'), color: COLORS.p95, values: pickLatency((r) => r.p95Ms) },
          ]}
        />
      </div>
    </>
  );
}

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}

export function BreakdownTable({ rows, names, breakdown }: { rows: UsageRow[]; names?: Map<string, string>; breakdown: Breakdown }) {
  const sorted = [...rows].sort((a, b) => b.calls - a.calls);
  const maxCalls = Math.max(1, ...sorted.map((r) => r.calls));
  return (
    <div className="table-wrap">
      <table className="table" data-testid="usage-breakdown">
        <thead>
          <tr>
            <th>{t('usage.group')}</th>
            <th className="num">{t('usage.calls')}</th>
            <th className="num">{t('usage.errors')}</th>
            <th className="num">{t('usage.inputTokens')}</th>
            <th className="num">{t('usage.outputTokens')}</th>
            <th className="num">{t('usage.credits')}</th>
            <th className="num">{t('usage.p50')}</th>
            <th className="num">{t('usage.p95')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.key} data-testid="usage-breakdown-row" data-key={row.key}>
              <td>
                <div className="bar-cell">
                  <span className="bar" style={{ width: `${(row.calls / maxCalls) * 100}%` }} aria-hidden="true" />
                  <span className="bar-label" title={row.key}>
                    {row.key ? names?.get(row.key) ?? (breakdown === 'type' ? rateTypeLabel(row.key) : row.key) : t('common.none')}
                  </span>
                </div>
              </td>
              <td className="num">{formatInteger(row.calls)}</td>
              <td className="num">{formatInteger(row.errors)}</td>
              <td className="num">{formatInteger(row.inputTokens)}</td>
              <td className="num">{formatInteger(row.outputTokens)}</td>
              <td className="num mono">{formatCredits(row.credits)}</td>
              <td className="num">{formatMs(row.p50Ms)}</td>
              <td className="num">{formatMs(row.p95Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
