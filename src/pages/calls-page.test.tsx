import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallsPage } from './calls-page';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const call = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  model: 'openai/gpt-4o-mini',
  providerId: 'prov_1',
  credentialId: 'cred_1',
  type: 'chatCompletion',
  status: 'success',
  inputTokens: 10,
  outputTokens: 5,
  credits: '0.0000045',
  duration: 420,
  ttfb: 80,
  providerTtfb: 75,
  errorReason: null,
  userDid: 'z-user',
  appId: null,
  createdAt: '2025-01-02T03:04:05Z',
  ...extra,
});

afterEach(() => vi.unstubAllGlobals());

describe('CallsPage', () => {
  it('pages with the cursor, filters, opens details and exports with the same filters', async () => {
    const fetchMock = vi.fn(async (url: string | URL | Request) => {
      const path = String(url);
      if (path.startsWith('/api/apps')) return jsonResponse(200, []);
      if (path === '/api/model-calls?limit=50') return jsonResponse(200, { data: [call('c1'), call('c2')], next: 'cur_2' });
      if (path === '/api/model-calls?limit=50&cursor=cur_2') return jsonResponse(200, { data: [call('c3', { status: 'failed', errorReason: 'upstream 500' })] });
      if (path === '/api/model-calls?model=openai%2Fgpt-4o-mini&status=failed&limit=50') return jsonResponse(200, { data: [] });
      return jsonResponse(500, { error: { message: `unexpected ${path}`, type: 'server_error' } });
    });
    vi.stubGlobal('fetch', fetchMock);
    render(<CallsPage />);

    await waitFor(() => expect(screen.getAllByTestId('call-row')).toHaveLength(2));
    fireEvent.click(screen.getByTestId('calls-load-more'));
    await waitFor(() => expect(screen.getAllByTestId('call-row')).toHaveLength(3));
    // The last page has no `next`.
    expect(screen.queryByTestId('calls-load-more')).toBeNull();

    const failed = screen.getAllByTestId('call-row').find((row) => row.getAttribute('data-call-id') === 'c3')!;
    fireEvent.click(failed);
    const details = await screen.findByTestId('call-details');
    expect(within(details).getByTestId('call-details-error').textContent).toBe('upstream 500');
    expect(details.textContent).toContain('c3');
    expect(details.textContent).toContain('0.0000045');

    fireEvent.change(screen.getByTestId('calls-filter-model'), { target: { value: 'openai/gpt-4o-mini' } });
    fireEvent.change(screen.getByTestId('calls-filter-status'), { target: { value: 'failed' } });
    fireEvent.click(screen.getByTestId('calls-filter-apply'));
    expect(await screen.findByTestId('empty-state')).toBeTruthy();
    expect(screen.queryByTestId('call-details')).toBeNull();
    expect(screen.getByTestId('calls-export').getAttribute('href')).toBe(
      '/api/model-calls/export?model=openai%2Fgpt-4o-mini&status=failed',
    );
  });

  it('shows the error with a retry', async () => {
    let fail = true;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string | URL | Request) => {
        if (String(url).startsWith('/api/apps')) return jsonResponse(200, []);
        if (fail) return jsonResponse(503, { error: { message: 'database unavailable', type: 'server_error' } });
        return jsonResponse(200, { data: [call('c9')] });
      }),
    );
    render(<CallsPage />);
    expect((await screen.findByTestId('error-state')).textContent).toContain('database unavailable');
    fail = false;
    fireEvent.click(screen.getByText('Retry'));
    await waitFor(() => expect(screen.getAllByTestId('call-row')).toHaveLength(1));
  });
});
