import { describe, expect, it } from 'vitest';
import { parseHash } from '../router';
import { callbackAllowed, deniedUrl, parseAuthorizeRequest } from './authorize-request';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const query = (extra: Record<string, string>) => new URLSearchParams({ callback_url: 'http://127.0.0.1:5000/cb', code_challenge: CHALLENGE, code_challenge_method: 'S256', app_name: 'Tool', ...extra });

describe('an app’s request at /auth/authorize', () => {
  it('takes the request with its limits and state', () => {
    const parsed = parseAuthorizeRequest(query({ state: 's1', limits: JSON.stringify({ rpm: 5, budget: { credits: '2', period: 'day' } }) }));
    expect(parsed).toMatchObject({
      ok: true,
      request: { app_name: 'Tool', code_challenge: CHALLENGE, state: 's1', limits: { rpm: 5, tpm: null, maxConcurrent: null, models: null, budget: { credits: '2', period: 'day' } } },
    });
  });

  it('refuses what the hub would refuse, before the user is asked', () => {
    const bad: Record<string, string>[] = [
      { callback_url: 'http://example.com/cb' },
      { callback_url: 'https://example.com/cb#x' },
      { callback_url: 'nonsense' },
      { code_challenge_method: 'plain' },
      { app_name: ' ' },
      { limits: '{"rpm": 0}' },
      { limits: '{"models": "all"}' },
      { limits: 'not json' },
    ];
    for (const extra of bad) expect(parseAuthorizeRequest(query(extra)).ok, JSON.stringify(extra)).toBe(false);
    expect(callbackAllowed(new URL('http://localhost:1/cb'))).toBe(true);
    expect(callbackAllowed(new URL('http://[::1]:1/cb'))).toBe(true);
    expect(callbackAllowed(new URL('https://app.example.com/cb'))).toBe(true);
    expect(callbackAllowed(new URL('http://127.0.0.1.example.com/cb'))).toBe(false);
  });

  it('sends a denial back with access_denied and the state', () => {
    expect(deniedUrl(new URL('https://app.example.com/cb?x=1'), 'st')).toBe('https://app.example.com/cb?x=1&error=access_denied&state=st');
  });

  it('keeps a query that carries more question marks whole', () => {
    const route = parseHash('#/auth/authorize?callback_url=https://app.example.com/cb?x=1&app_name=T');
    expect(route.path).toBe('/auth/authorize');
    expect(route.query.get('callback_url')).toBe('https://app.example.com/cb?x=1');
    expect(route.query.get('app_name')).toBe('T');
  });
});
