import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import { parseRetryAfter, toProviderError } from './provider-error.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('toProviderError', () => {
  it('keeps a ProviderError as it is', () => {
    const e = new ProviderError('x', { kind: 'http', status: 418 });
    expect(toProviderError(e)).toBe(e);
  });

  it('reads status and retry-after from OpenAI and Anthropic SDK errors', () => {
    const o = toProviderError(OpenAI.APIError.generate(429, { error: { message: 'slow down' } }, undefined, headers({ 'retry-after': '4' })));
    expect(o).toMatchObject({ status: 429, kind: 'http', retryable: true, retryAfter: 4 });
    expect(o.message).toContain('slow down');
    const a = toProviderError(Anthropic.APIError.generate(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, undefined, headers({})));
    expect(a).toMatchObject({ status: 401, isAuthFailure: true, retryable: false });
    expect(toProviderError(OpenAI.APIError.generate(404, undefined, 'nope', headers({})))).toMatchObject({ status: 404, retryable: false });
  });

  it('maps in-stream error types without a status', () => {
    expect(toProviderError(new Anthropic.APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, undefined))).toMatchObject({ status: 529, retryable: true });
    expect(toProviderError(new OpenAI.APIError(undefined, { message: 'boom', type: 'server_error' }, undefined, undefined))).toMatchObject({ status: 500, retryable: true });
  });

  it('turns retry-after-ms and HTTP dates into seconds', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1500' }))).toBe(2);
    expect(parseRetryAfter({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() })).toBeGreaterThanOrEqual(9);
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });

  it('treats Google API_KEY_INVALID (a 400) as an auth failure', () => {
    const err = Object.assign(new Error(JSON.stringify({ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } })), {
      name: 'ApiError',
      status: 400,
    });
    const e = toProviderError(err);
    expect(e).toMatchObject({ status: 401, isAuthFailure: true });
    expect(e.message).toContain('API key not valid.');
  });

  it('reads AWS SDK errors', () => {
    const err = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(toProviderError(err)).toMatchObject({ status: 429, retryable: true });
  });

  it('classifies network failures, timeouts and aborts', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(toProviderError(refused)).toMatchObject({ kind: 'connection', retryable: true });
    expect(toProviderError(new OpenAI.APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout', retryable: true });
    const terminated = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(toProviderError(terminated)).toMatchObject({ kind: 'connection' });
    const c = new AbortController();
    c.abort();
    expect(toProviderError(new Error('whatever'), { signal: c.signal })).toMatchObject({ kind: 'aborted', retryable: false });
    const t = new AbortController();
    t.abort(new DOMException('late', 'TimeoutError'));
    expect(toProviderError(new Error('whatever'), { signal: t.signal })).toMatchObject({ kind: 'timeout', retryable: true });
    expect(toProviderError(new Error('Fetch https://x/v1 error: 503 Service Unavailable down'))).toMatchObject({ status: 503, retryable: true });
  });

  it('classifies the TypeError of a non-JSON error body as a retryable protocol error', () => {
    const e = toProviderError(new TypeError("Cannot use 'in' operator to search for 'error' in <html>"));
    expect(e).toMatchObject({ kind: 'protocol', retryable: true });
    expect(e.status).toBeUndefined();
  });

  it('never lets a credential through', () => {
    const secret = 'my-very-private-credential';
    const e = toProviderError(OpenAI.APIError.generate(401, { error: { message: `bad key ${secret} and sk-proj-abcdefghijklmnop` } }, undefined, headers({})), {
      secrets: [secret],
      provider: 'OpenAI',
    });
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain('sk-proj-abcdefghijklmnop');
    expect(e.message.startsWith('OpenAI: upstream returned 401')).toBe(true);
  });
});
