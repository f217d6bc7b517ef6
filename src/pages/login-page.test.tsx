import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { App } from '../app';
import { SessionProvider } from '../session';
import { LoginForm } from './login-page';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('LoginForm', () => {
  it('asks for a key instead of submitting an empty one', async () => {
    const onSubmit = vi.fn(async () => undefined);
    render(<LoginForm onSubmit={onSubmit} />);
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByTestId('login-error')).toHaveProperty('textContent', 'Enter an access key.');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('submits the trimmed key and disables the button while waiting', async () => {
    let resolve!: () => void;
    const onSubmit = vi.fn(() => new Promise<void>((r) => (resolve = r)));
    render(<LoginForm onSubmit={onSubmit} />);
    fireEvent.change(screen.getByTestId('login-key'), { target: { value: '  aigne_secret  ' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(onSubmit).toHaveBeenCalledWith('aigne_secret');
    await waitFor(() => expect((screen.getByTestId('login-submit') as HTMLButtonElement).disabled).toBe(true));
    resolve();
  });

  it('shows the API error message and lets the user try again', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(401, 'authentication_error', 'Unknown access key');
    });
    render(<LoginForm onSubmit={onSubmit} />);
    fireEvent.change(screen.getByTestId('login-key'), { target: { value: 'aigne_wrong' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    const error = await screen.findByTestId('login-error');
    expect(error.textContent).toContain('Unknown access key');
    expect((screen.getByTestId('login-submit') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('login flow', () => {
  it('logs in with a key, then shows the nav for the role; logout returns to the form', async () => {
    let loggedIn = false;
    const fetchMock = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      const path = String(url);
      if (path === '/api/auth/session') {
        return loggedIn
          ? jsonResponse(200, { user: { did: 'z-member', name: 'Mia', role: 'member' } })
          : jsonResponse(401, { error: { message: 'No session', type: 'authentication_error' } });
      }
      if (path === '/api/auth/login') {
        const body = JSON.parse(String(init?.body)) as { key: string };
        if (body.key !== 'aigne_good') return jsonResponse(401, { error: { message: 'Unknown access key', type: 'authentication_error' } });
        loggedIn = true;
        return jsonResponse(200, { user: { did: 'z-member', name: 'Mia', role: 'member' } });
      }
      if (path === '/api/auth/logout') {
        loggedIn = false;
        return new Response(null, { status: 204 });
      }
      if (path.startsWith('/api/ai/models')) return jsonResponse(200, []);
      return jsonResponse(404, { error: { message: 'not here', type: 'not_found' } });
    });
    vi.stubGlobal('fetch', fetchMock);

    render(
      <SessionProvider>
        <App />
      </SessionProvider>,
    );
    const key = await screen.findByTestId('login-key');
    fireEvent.change(key, { target: { value: 'aigne_bad' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('login-error')).textContent).toContain('Unknown access key');

    fireEvent.change(screen.getByTestId('login-key'), { target: { value: 'aigne_good' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('session-user')).textContent).toContain('Mia');
    // A member sees only the playground and credits, and lands on the playground.
    expect(screen.getByTestId('nav-playground')).toBeTruthy();
    expect(screen.getByTestId('nav-credits')).toBeTruthy();
    expect(screen.queryByTestId('nav-providers')).toBeNull();
    expect(screen.queryByTestId('nav-keys')).toBeNull();
    await waitFor(() => expect(window.location.hash).toBe('#/playground'));

    // An admin page typed into the address bar is refused, not fetched.
    window.location.hash = '#/providers';
    expect(await screen.findByTestId('forbidden')).toBeTruthy();
    expect(fetchMock.mock.calls.some(([u]) => String(u).startsWith('/api/ai-providers'))).toBe(false);

    fireEvent.click(screen.getByTestId('logout'));
    expect(await screen.findByTestId('login-form')).toBeTruthy();
    expect(fetchMock.mock.calls.some(([u, i]) => String(u) === '/api/auth/logout' && i?.method === 'POST')).toBe(true);
  });

  it('gives an admin every page', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string | URL | Request) => {
        if (String(url) === '/api/auth/session') return jsonResponse(200, { user: { did: 'z-admin', name: 'Ada', role: 'admin' } });
        return jsonResponse(200, []);
      }),
    );
    render(
      <SessionProvider>
        <App />
      </SessionProvider>,
    );
    await screen.findByTestId('session-user');
    for (const page of ['providers', 'rates', 'usage', 'calls', 'keys', 'playground', 'credits']) {
      expect(screen.getByTestId(`nav-${page}`)).toBeTruthy();
    }
    await waitFor(() => expect(window.location.hash).toBe('#/providers'));
  });
});
