import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeysPage, keyStatus } from './keys-page';

function jsonResponse(status: number, body?: unknown): Response {
  return body === undefined
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

describe('keyStatus', () => {
  it('tells active, revoked and expired keys apart', () => {
    const key = {
      id: 'k',
      name: 'n',
      keyPrefix: 'aigne_abcd',
      userDid: 'u',
      role: 'member' as const,
      appId: null,
      limits: null,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: '2025-01-01T00:00:00Z',
    };
    expect(keyStatus(key)).toBe('active');
    expect(keyStatus({ ...key, revokedAt: '2025-01-02T00:00:00Z' })).toBe('revoked');
    expect(keyStatus({ ...key, expiresAt: '2025-01-02T00:00:00Z' }, Date.parse('2025-01-03T00:00:00Z'))).toBe('expired');
    expect(keyStatus({ ...key, expiresAt: '2025-01-02T00:00:00Z' }, Date.parse('2025-01-01T12:00:00Z'))).toBe('active');
  });
});

describe('KeysPage', () => {
  it('creates a key, shows it once with a copy button, and revokes a key', async () => {
    const keys = [{ id: 'k1', name: 'ci-bot', userDid: 'z-ci', role: 'member', appId: 'a1', createdAt: '2025-01-01T00:00:00Z', revokedAt: null }];
    const posts: unknown[] = [];
    const fetchMock = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      const path = String(url);
      const method = init?.method ?? 'GET';
      if (path === '/api/apps' && method === 'GET') return jsonResponse(200, [{ id: 'a1', name: 'Support bot', did: null }]);
      if (path === '/api/access-keys' && method === 'GET') return jsonResponse(200, keys);
      if (path === '/api/access-keys' && method === 'POST') {
        posts.push(JSON.parse(String(init?.body)));
        return jsonResponse(201, { id: 'k2', key: 'aigne_0123456789abcdef0123456789abcdef0123', name: 'deploy', userDid: 'z-new', role: 'admin', appId: 'a1', createdAt: '2025-01-02T00:00:00Z' });
      }
      if (path === '/api/access-keys/k1' && method === 'DELETE') return jsonResponse(204);
      return jsonResponse(404, { error: { message: `unexpected ${method} ${path}`, type: 'not_found' } });
    });
    vi.stubGlobal('fetch', fetchMock);
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });

    render(<KeysPage />);
    const row = await screen.findByTestId('key-row');
    expect(within(row).getByText('Support bot')).toBeTruthy();
    expect(within(row).getByTestId('key-status').textContent).toBe('Active');

    fireEvent.change(screen.getByTestId('create-key-name'), { target: { value: 'deploy' } });
    fireEvent.change(screen.getByTestId('create-key-role'), { target: { value: 'admin' } });
    await waitFor(() => expect(screen.getByTestId('create-key-app').querySelectorAll('option')).toHaveLength(2));
    fireEvent.change(screen.getByTestId('create-key-app'), { target: { value: 'a1' } });
    fireEvent.click(screen.getByTestId('create-key-submit'));

    const shown = await screen.findByTestId('created-key');
    expect(shown.textContent).toBe('aigne_0123456789abcdef0123456789abcdef0123');
    expect(posts).toEqual([{ name: 'deploy', role: 'admin', appId: 'a1' }]);
    fireEvent.click(screen.getByTestId('created-key-copy'));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('aigne_0123456789abcdef0123456789abcdef0123'));
    expect(await screen.findByText('Copied')).toBeTruthy();
    fireEvent.click(screen.getByTestId('created-key-dismiss'));
    expect(screen.queryByTestId('created-key')).toBeNull();

    fireEvent.click(screen.getByTestId('key-revoke'));
    fireEvent.click(screen.getByTestId('key-revoke-confirm'));
    await waitFor(() => expect(screen.getByTestId('key-status').textContent).toBe('Revoked'));
    expect(screen.queryByTestId('key-revoke')).toBeNull();
    expect(fetchMock.mock.calls.some(([u, i]) => String(u) === '/api/access-keys/k1' && i?.method === 'DELETE')).toBe(true);
  });

  it('asks for a name before creating a key', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, [])));
    render(<KeysPage />);
    fireEvent.click(screen.getByTestId('create-key-submit'));
    expect((await screen.findByTestId('create-key-error')).textContent).toBe('Key name is required.');
  });
});
