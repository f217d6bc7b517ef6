/**
 * Inside Blocklet Server the sign-in page offers the server's DID Wallet login, which comes back to
 * the very page it was offered on: the dashboard, or an app's request for a key.
 */
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginPage } from './login-page';
import { SessionProvider } from '../session';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

describe('the sign-in page inside Blocklet Server', () => {
  it('offers the server’s login, back to an app’s key request, beside the key form', async () => {
    // What the server answers for __blocklet__.js (the standalone hub's answer has no serverVersion).
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) =>
      String(input).includes('__blocklet__.js')
        ? new Response(JSON.stringify({ serverVersion: '1.17.12', groupPrefix: '/' }), { headers: { 'Content-Type': 'application/json' } })
        : new Response(JSON.stringify({ error: { message: 'no session', type: 'authentication_error' } }), { status: 401, headers: { 'Content-Type': 'application/json' } }),
    );
    window.history.replaceState(null, '', '/auth/authorize?app_name=Notes&code_challenge=abc');
    render(
      <SessionProvider>
        <LoginPage intro="Notes asks for a key." />
      </SessionProvider>,
    );
    const link = await screen.findByTestId('blocklet-login');
    expect(link.getAttribute('href')).toBe(`/.well-known/service/login?redirect=${encodeURIComponent('/auth/authorize?app_name=Notes&code_challenge=abc')}`);
    expect(screen.getByTestId('login-intro').textContent).toBe('Notes asks for a key.');
    expect(screen.getByTestId('login-form')).toBeTruthy();
  });
});
