/** toProviderError and parseRetryAfter case by case: every status source, code, message shape and wording. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECTION_CODES, parseRetryAfter, TIMEOUT_CODES, toProviderError } from './provider-error.js';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
const named = (name: string, message = 'boom') => Object.assign(new Error(message), { name });

describe('parseRetryAfter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads seconds, milliseconds and HTTP dates from Headers or plain objects', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '7' }))).toBe(7);
    expect(parseRetryAfter({ 'retry-after': '2.1' })).toBe(3);
    expect(parseRetryAfter({ 'retry-after': ['4', '9'] })).toBe(4);
    expect(parseRetryAfter({ 'retry-after-ms': '1001', 'retry-after': '60' })).toBe(2);
    expect(parseRetryAfter({ 'retry-after-ms': '0' })).toBe(0);
    expect(parseRetryAfter({ 'retry-after-ms': 'soon', 'retry-after': '5' })).toBe(5);
    expect(parseRetryAfter({ 'retry-after': '-3' })).toBe(0);
    expect(parseRetryAfter({ 'retry-after-ms': '-3000' })).toBe(0);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00.000Z'));
    expect(parseRetryAfter({ 'retry-after': 'Mon, 01 Jun 2026 12:00:42 GMT' })).toBe(42);
    expect(parseRetryAfter({ 'retry-after': 'Mon, 01 Jun 2026 11:59:00 GMT' })).toBe(0);
  });

  it('is undefined without a usable header', () => {
    for (const h of [undefined, null, 'retry-after: 5', {}, { 'retry-after': '' }, { 'retry-after': 'whenever' }, { 'retry-after': 5 }, new Headers()]) {
      expect(parseRetryAfter(h)).toBeUndefined();
    }
  });
});

describe('toProviderError: HTTP answers', () => {
  it('takes the status from status, statusCode, AWS metadata, the response, or a fetch error message', () => {
    expect(toProviderError(Object.assign(new Error('a'), { status: 503 }))).toMatchObject({ kind: 'http', status: 503 });
    expect(toProviderError(Object.assign(new Error('b'), { statusCode: 502 }))).toMatchObject({ status: 502 });
    expect(toProviderError(Object.assign(new Error('c'), { $metadata: { httpStatusCode: 429 } }))).toMatchObject({ status: 429 });
    expect(toProviderError(Object.assign(new Error('d'), { response: { status: 404 } }))).toMatchObject({ status: 404 });
    expect(toProviderError(new Error('Fetch https://u/v1 error: 401 Unauthorized'))).toMatchObject({ status: 401, isAuthFailure: true });
    expect(toProviderError(new Error('see Fetch https://u/v1 error: 401 Unauthorized'))).toMatchObject({ kind: 'protocol', status: undefined });
  });

  it('ignores numbers that are not HTTP statuses', () => {
    for (const status of [99, 600, 0, -1]) expect(toProviderError(Object.assign(new Error('x'), { status })).status).toBeUndefined();
    expect(toProviderError(Object.assign(new Error('x'), { status: '500' })).status).toBeUndefined();
    expect(toProviderError(Object.assign(new Error('x'), { status: 100 })).status).toBe(100);
    expect(toProviderError(Object.assign(new Error('x'), { status: 599 })).status).toBe(599);
  });

  it('maps every in-stream error type to its status, and ignores the rest', () => {
    const types: Record<string, number> = {
      invalid_request_error: 400,
      authentication_error: 401,
      permission_error: 403,
      not_found_error: 404,
      request_too_large: 413,
      rate_limit_error: 429,
      api_error: 500,
      server_error: 500,
      overloaded_error: 529,
      timeout_error: 504,
    };
    for (const [type, status] of Object.entries(types)) {
      expect(toProviderError(Object.assign(new Error('x'), { error: { error: { type, message: 'm' } } })).status).toBe(status);
      expect(toProviderError(Object.assign(new Error('x'), { error: { type, message: 'm' } })).status).toBe(status);
    }
    expect(toProviderError(Object.assign(new Error('x'), { error: { type: 'error', message: 'm' } })).status).toBeUndefined();
    // An upstream's type that names a property of every object is no status either.
    for (const type of ['toString', 'constructor', '__proto__']) expect(toProviderError(Object.assign(new Error('x'), { error: { type } })).status).toBeUndefined();
    expect(toProviderError(Object.assign(new Error('x'), { error: { error: { type: 7 } } })).status).toBeUndefined();
    // A type that is not a string is none, even one whose text would name a known type.
    expect(toProviderError(Object.assign(new Error('x'), { error: { error: { type: ['rate_limit_error'] } } })).status).toBeUndefined();
    expect(toProviderError(Object.assign(new Error('x'), { error: { type: ['rate_limit_error'] } })).status).toBeUndefined();
  });

  it("keeps the answer's HTTP status over the type in its body", () => {
    const e = Object.assign(new Error('x'), { status: 403, error: { error: { type: 'authentication_error', message: 'no access to this model' } } });
    expect(toProviderError(e)).toMatchObject({ kind: 'http', status: 403, message: 'upstream returned 403: no access to this model' });
  });

  it("uses the upstream's own explanation from whatever body shape it sent", () => {
    const message = (e: object) => toProviderError(Object.assign(new Error('sdk text'), { status: 400 }, e)).message;
    expect(message({ error: { error: { message: 'nested' } } })).toBe('upstream returned 400: nested');
    expect(message({ error: { message: 'flat' } })).toBe('upstream returned 400: flat');
    expect(message({ error: { error: { message: 3 }, message: 'flat wins' } })).toBe('upstream returned 400: flat wins');
    expect(message({ error: 'a plain body' })).toBe('upstream returned 400: a plain body');
    expect(message({ error: '' })).toBe('upstream returned 400: sdk text');
    expect(message({ error: { other: 1 } })).toBe('upstream returned 400: sdk text');
    const google = Object.assign(new Error(JSON.stringify({ error: { code: 403, message: 'Permission denied.' } })), { status: 403 });
    expect(toProviderError(google).message).toBe('upstream returned 403: Permission denied.');
    const notJson = Object.assign(new Error('{not json'), { status: 500 });
    expect(toProviderError(notJson).message).toBe('upstream returned 500: {not json');
    const jsonOther = Object.assign(new Error('{"error":{"code":1}}'), { status: 500 });
    expect(toProviderError(jsonOther).message).toBe('upstream returned 500: {"error":{"code":1}}');
    expect(toProviderError({ status: 500, message: 42, toString: () => 'odd thing' }).message).toBe('upstream returned 500: odd thing');
  });

  it('reads Retry-After from the headers of any SDK shape', () => {
    expect(toProviderError(Object.assign(new Error('x'), { status: 429, headers: { 'retry-after': '3' } })).retryAfter).toBe(3);
    expect(toProviderError(Object.assign(new Error('x'), { status: 429, $response: { headers: { 'retry-after': '4' } } })).retryAfter).toBe(4);
    expect(toProviderError(Object.assign(new Error('x'), { status: 429, response: { headers: new Headers({ 'retry-after': '5' }) } })).retryAfter).toBe(5);
    expect(toProviderError(Object.assign(new Error('x'), { status: 429 })).retryAfter).toBeUndefined();
  });

  it('calls a Google 400 an auth failure only for API_KEY_INVALID', () => {
    expect(toProviderError(Object.assign(new Error('API_KEY_INVALID'), { status: 400 })).status).toBe(401);
    expect(toProviderError(Object.assign(new Error('INVALID_ARGUMENT'), { status: 400 })).status).toBe(400);
    expect(toProviderError(Object.assign(new Error('API_KEY_INVALID'), { status: 403 })).status).toBe(403);
    // An SDK error object without a message of its own.
    expect(toProviderError({ status: 400, error: { error: { message: 'bad field' } } })).toMatchObject({ status: 400, message: 'upstream returned 400: bad field' });
  });
});

describe('toProviderError: messages', () => {
  it('names the provider, the status or kind, and a clipped one-line detail', () => {
    expect(toProviderError(Object.assign(new Error('nope'), { status: 401 }), { provider: 'OpenAI' }).message).toBe('OpenAI: upstream returned 401: nope');
    expect(toProviderError(withCode('ECONNRESET', 'reset')).message).toBe('upstream connection error: ECONNRESET');
    expect(toProviderError(new Error('weird\n\n  thing\t here')).message).toBe('upstream protocol error: weird thing here');
    expect(toProviderError(Object.assign(new Error(''), { status: 529, error: '\n  overloaded \n' })).message).toBe('upstream returned 529: overloaded');
    const long = 'x'.repeat(301);
    expect(toProviderError(new Error(long)).message).toBe(`upstream protocol error: ${'x'.repeat(300)}…`);
    expect(toProviderError(new Error('y'.repeat(300))).message).toBe(`upstream protocol error: ${'y'.repeat(300)}`);
    expect(toProviderError(new Error('')).message).toBe('upstream protocol error');
    expect(toProviderError(Object.assign(new Error(''), { status: 500, error: '' })).message).toBe('upstream returned 500');
  });

  it('removes credentials of any shape from the message', () => {
    const e = toProviderError(Object.assign(new Error('key "pa ss!" refused'), { status: 401 }), { secrets: ['pa ss!', undefined] });
    expect(e.message).toBe('upstream returned 401: key "****" refused');
  });
});

describe('toProviderError: no answer', () => {
  it('tells our own abort from our own deadline', () => {
    const c = new AbortController();
    c.abort(new Error('client left'));
    expect(toProviderError(new Error('x'), { signal: c.signal, provider: 'P' })).toMatchObject({ kind: 'aborted', message: 'P: upstream aborted error: request aborted' });
    const t = new AbortController();
    t.abort(named('TimeoutError'));
    expect(toProviderError(new Error('x'), { signal: t.signal })).toMatchObject({ kind: 'timeout', message: 'upstream timeout error: no answer in time' });
    const d = new AbortController();
    d.abort();
    expect(toProviderError(new Error('x'), { signal: d.signal }).kind).toBe('aborted');
    expect(toProviderError(new Error('x'), { signal: new AbortController().signal }).kind).toBe('protocol');
    const n = new AbortController();
    n.abort(null);
    expect(toProviderError(new Error('x'), { signal: n.signal }).kind).toBe('aborted');
  });

  it('calls every timeout code, and timeout error classes anywhere in the cause chain, a timeout', () => {
    for (const code of ['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
      expect(TIMEOUT_CODES.has(code)).toBe(true);
      const e = toProviderError(new TypeError('fetch failed', { cause: withCode(code, `timed out: ${code}`) }));
      expect(e).toMatchObject({ kind: 'timeout', message: `upstream timeout error: timed out: ${code}` });
    }
    expect(toProviderError(named('TimeoutError', 'late'))).toMatchObject({ kind: 'timeout', message: 'upstream timeout error: late' });
    class APIConnectionTimeoutError extends Error {}
    expect(toProviderError(new APIConnectionTimeoutError('slow')).kind).toBe('timeout');
    expect(toProviderError(Object.assign(withCode('ETIMEDOUT'), { message: undefined })).message).toBe('upstream timeout error: timed out');
    expect(toProviderError(new Error('Fetch https://u/v1 error: Timeout after 30000ms'))).toMatchObject({ kind: 'timeout', message: 'upstream timeout error: no answer in time' });
    expect(toProviderError(new Error('Fetch  error: Timeout after 1ms')).kind).toBe('protocol');
  });

  it("calls an SDK's own abort a timeout", () => {
    for (const name of ['APIUserAbortError', 'AbortError']) {
      expect(toProviderError(new Error('outer', { cause: named(name) }))).toMatchObject({ kind: 'timeout', message: 'upstream timeout error: the request was aborted before it completed' });
    }
    class APIUserAbortError extends Error {}
    expect(toProviderError(new APIUserAbortError('x')).kind).toBe('timeout');
  });

  it('calls every connection code, connection class and known connection message a connection error', () => {
    for (const code of CONNECTION_CODES) {
      expect(toProviderError(new TypeError('fetch failed', { cause: withCode(code) }))).toMatchObject({ kind: 'connection', message: `upstream connection error: ${code}` });
    }
    expect([...CONNECTION_CODES].sort()).toEqual(
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'ECONNABORTED',
        'EPIPE',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'UND_ERR_SOCKET',
        'UND_ERR_CLOSED',
        'ERR_HTTP2_STREAM_ERROR',
        'ERR_HTTP2_SESSION_ERROR',
        'ERR_HTTP2_GOAWAY_SESSION',
        'ERR_STREAM_PREMATURE_CLOSE',
      ].sort(),
    );
    expect(toProviderError(named('APIConnectionError', 'Connection error.'))).toMatchObject({ kind: 'connection', message: 'upstream connection error: Connection error.' });
    for (const message of ['terminated', 'fetch failed', 'Other side closed', 'socket hang up', 'Fetch https://u/v1 error: fetch failed', 'Session closed with error code 2']) {
      expect(toProviderError(new Error(message))).toMatchObject({ kind: 'connection', message: `upstream connection error: ${message}` });
    }
    for (const message of ['terminated early', 'not terminated', 'Fetch  error: fetch failed']) {
      expect(toProviderError(new Error(message)).kind).toBe('protocol');
    }
    // The first code in the chain names it, even below the link that matched.
    const chained = new TypeError('fetch failed', { cause: new Error('inner', { cause: withCode('ECONNREFUSED') }) });
    expect(toProviderError(chained).message).toBe('upstream connection error: ECONNREFUSED');
    const numbered = Object.assign(new Error('terminated', { cause: withCode('UND_ERR_SOCKET') }), { code: 2 });
    expect(toProviderError(numbered).message).toBe('upstream connection error: UND_ERR_SOCKET');
  });

  it('looks six links down the cause chain, no further', () => {
    const nest = (depth: number) => {
      let e: Error = withCode('ECONNRESET');
      for (let i = 1; i < depth; i++) e = new Error(`level ${i}`, { cause: e });
      return e;
    };
    expect(toProviderError(nest(6)).kind).toBe('connection');
    expect(toProviderError(nest(7)).kind).toBe('protocol');
  });

  it('calls anything else a protocol error, thrown values that are not errors included', () => {
    expect(toProviderError('a string')).toMatchObject({ kind: 'protocol', message: 'upstream protocol error: a string', retryable: true });
    expect(toProviderError(undefined)).toMatchObject({ kind: 'protocol', message: 'upstream protocol error: undefined' });
    expect(toProviderError({ name: 'Error' })).toMatchObject({ kind: 'protocol' });
    // A value without a prototype, anywhere in the chain.
    const bare = Object.assign(Object.create(null) as object, { message: 'bare' });
    expect(toProviderError(bare)).toMatchObject({ kind: 'protocol', message: 'upstream protocol error: bare' });
    expect(toProviderError(new Error('outer', { cause: bare })).kind).toBe('protocol');
    const e = new Error('x');
    expect(toProviderError(e).cause).toBe(e);
  });
});
