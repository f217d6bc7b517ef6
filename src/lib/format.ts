import { formatDecimal } from './decimal';
import { t } from '../i18n/en';
import { intlTag } from '../i18n/locale';

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return t('common.none');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(intlTag(), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** Compact local date and 24-hour time, for dense tables. */
export function formatShortDateTime(value: string | null | undefined): string {
  if (!value) return t('common.none');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(intlTag(), {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('common.none');
  return Math.round(value).toLocaleString(intlTag());
}

function unit(value: number, unit: 'millisecond' | 'second', maximumFractionDigits: number): string {
  // `12 ms` / `12毫秒`, `12.3s` / `12.3秒`: Chinese's narrow millisecond is the Latin `ms`.
  const unitDisplay = unit === 'millisecond' ? 'short' : 'narrow';
  return new Intl.NumberFormat(intlTag(), { style: 'unit', unit, unitDisplay, maximumFractionDigits }).format(value);
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('common.none');
  if (value >= 10_000) return unit(value / 1000, 'second', 1);
  return unit(Math.round(value), 'millisecond', 0);
}

/** Short duration for chart axes: `250 ms`, `1.5 s` (per language). */
export function formatAxisMs(value: number): string {
  return value >= 1000 ? unit(value / 1000, 'second', 1) : unit(value, 'millisecond', 0);
}

/** A share from 0 to 1 as a percentage with one decimal. */
export function formatPercent(share: number): string {
  return new Intl.NumberFormat(intlTag(), { style: 'percent', maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(share);
}

/**
 * Credits are decimal strings; shown with up to `decimals` places (trailing zeros dropped), never
 * through a float. The default keeps every place the hub settles (nano-credits), so a total, a
 * balance and the calls behind them add up on screen.
 */
export function formatCredits(value: string | null | undefined, decimals = 12): string {
  return formatDecimal(value, decimals);
}

/** `1.2K` in English, `1.2万` in Chinese: Intl's compact notation of the current language. */
export function compactNumber(value: number): string {
  return new Intl.NumberFormat(intlTag(), { notation: 'compact', maximumSignificantDigits: 3 }).format(value);
}

/** `YYYY-MM-DD` of a local date. */
export function toDateInput(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** ISO timestamp of the start (or end) of a local calendar day given as `YYYY-MM-DD`. */
export function dayBoundary(day: string, edge: 'start' | 'end'): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** ISO timestamp from a `datetime-local` input value, or undefined. */
export function localDateTimeToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Every calendar day from `from` to `to` inclusive, as `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string, maxDays = 400): string[] {
  const parse = (s: string) => {
    const [y, m, d] = s.split('-').map(Number);
    return Date.UTC(y!, (m ?? 1) - 1, d ?? 1);
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return [];
  const days: string[] = [];
  for (let time = parse(from); time <= parse(to) && days.length < maxDays; time += 86_400_000) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}
