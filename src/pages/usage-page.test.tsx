import { render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UsageRow } from '../api/client';
import { UsagePage, alignDays } from './usage-page';

const row = (key: string, calls: number, credits = '0'): UsageRow => ({
  key,
  calls,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  credits,
  p50Ms: null,
  p95Ms: null,
});

afterEach(() => vi.unstubAllGlobals());

describe('alignDays', () => {
  it('fills every day of the range and keeps the rows on their days', () => {
    const { labels, rows } = alignDays([row('2025-03-03', 4), row('2025-03-01T00:00:00.000Z', 2)], '2025-03-01', '2025-03-04');
    expect(labels).toEqual(['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04']);
    expect(rows.map((r) => r?.calls ?? null)).toEqual([2, null, 4, null]);
  });
});

describe('UsagePage', () => {
  it('asks for day stats and a breakdown in the chosen range and adds credits exactly', async () => {
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string | URL | Request) => {
        const path = String(url);
        urls.push(path);
        const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
        if (path.includes('groupBy=day')) return json({ data: [row('2025-01-01', 3, '0.1'), row('2025-01-02', 1, '0.2')] });
        if (path.includes('groupBy=model')) return json({ data: [row('openai/gpt-4o-mini', 3, '0.1'), row('anthropic/claude', 1, '0.2')] });
        return json([]);
      }),
    );
    render(<UsagePage />);
    await waitFor(() => expect(screen.getByTestId('usage-total-credits').textContent).toContain('0.3'));
    expect(screen.getByTestId('usage-total-calls').textContent).toContain('4');
    expect(within(screen.getByTestId('usage-chart')).getByTestId('usage-chart-calls')).toBeTruthy();
    const rows = await screen.findAllByTestId('usage-breakdown-row');
    expect(rows.map((r) => r.getAttribute('data-key'))).toEqual(['openai/gpt-4o-mini', 'anthropic/claude']);
    const day = urls.find((u) => u.includes('groupBy=day'))!;
    const params = new URL(day, 'http://x').searchParams;
    expect(new Date(params.get('from')!).getTime()).toBeLessThan(new Date(params.get('to')!).getTime());
    expect(Number.isNaN(Date.parse(params.get('from')!))).toBe(false);
  });
});
