import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  createProvider,
  errorFromBody,
  findModelCall,
  getCredits,
  getSession,
  listModelCalls,
  modelCallsExportUrl,
  getUsageStats,
  parseErrorResponse,
  qualifiedModelName,
  readChatStream,
  request,
  setUnauthorizedHandler,
  streamChat,
  testCredential,
} from './client';
import { readSseEvents } from './sse.js';

/** A real ReadableStream that delivers the given pieces one by one, as a network would. */
function streamOf(pieces: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= pieces.length) {
        controller.close();
        return;
      }
      const piece = pieces[i++];
      controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
    },
  });
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

const fetchMock = vi.fn<typeof fetch>();

afterEach(() => {
  fetchMock.mockReset();
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

function useFetch() {
  vi.stubGlobal('fetch', fetchMock);
}

describe('error parsing', () => {
  it('reads the API error body into status, type, code and message', async () => {
    const res = jsonResponse(403, { error: { message: 'Admins only', type: 'permission_denied', code: 'forbidden' } });
    const error = await parseErrorResponse(res);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(403);
    expect(error.type).toBe('permission_denied');
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('Admins only');
  });

  it('keeps the top-up link of a 402 and the Retry-After of a 429', async () => {
    const e402 = await parseErrorResponse(
      jsonResponse(402, { error: { message: 'Not enough credits', type: 'insufficient_credits', link: 'https://pay.example/top-up' } }),
    );
    expect(e402.link).toBe('https://pay.example/top-up');
    const e429 = await parseErrorResponse(
      jsonResponse(429, { error: { message: 'Slow down', type: 'rate_limit_exceeded' } }, { 'Retry-After': '7' }),
    );
    expect(e429.retryAfter).toBe(7);
    expect(e429.type).toBe('rate_limit_exceeded');
  });

  it('falls back to a type from the status when the body is not JSON', async () => {
    const html = new Response('<html><body>Bad gateway</body></html>', { status: 502, statusText: 'Bad Gateway' });
    const error = await parseErrorResponse(html);
    expect(error.status).toBe(502);
    expect(error.type).toBe('upstream_error');
    expect(error.message).toBe('Bad Gateway');
    const text = await parseErrorResponse(new Response('database locked', { status: 500 }));
    expect(text.type).toBe('server_error');
    expect(text.message).toBe('database locked');
  });

  it('builds errors from SSE error events too', () => {
    const error = errorFromBody(502, { error: { message: 'upstream reset', type: 'upstream_error' } });
    expect(error.message).toBe('upstream reset');
    expect(errorFromBody(400, {}).type).toBe('invalid_request_error');
  });
});

describe('request', () => {
  it('sends JSON with the session cookie and parses the answer', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(jsonResponse(201, { id: 'p1', name: 'openai', enabled: true, credentials: [] }));
    const provider = await createProvider({ name: 'openai', baseUrl: 'https://api.openai.com/v1' });
    expect(provider.id).toBe('p1');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/ai-providers');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual({ name: 'openai', baseUrl: 'https://api.openai.com/v1' });
  });

  it('throws ApiError and tells the app about a lost session', async () => {
    useFetch();
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    fetchMock.mockResolvedValueOnce(jsonResponse(401, { error: { message: 'Session expired', type: 'authentication_error' } }));
    await expect(request('GET', '/api/access-keys')).rejects.toMatchObject({ status: 401, message: 'Session expired' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('answers null for the session probe on 401 without raising the alarm', async () => {
    useFetch();
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    fetchMock.mockResolvedValueOnce(jsonResponse(401, { error: { message: 'no session', type: 'authentication_error' } }));
    expect(await getSession()).toBeNull();
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { user: { did: 'z1', name: 'Ada', role: 'admin' } }));
    expect(await getSession()).toEqual({ did: 'z1', name: 'Ada', role: 'admin' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('builds call-log queries, pages and export links without empty filters', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { data: [{ id: 'c1' }], next: 'abc' }));
    const page = await listModelCalls({ model: 'openai/gpt-4o-mini', status: '', limit: 50, cursor: 'xyz' });
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/model-calls?model=openai%2Fgpt-4o-mini&limit=50&cursor=xyz');
    expect(page.next).toBe('abc');
    expect(page.data).toHaveLength(1);
    expect(modelCallsExportUrl({ userDid: 'z9', status: 'failed', cursor: 'c', limit: 5 })).toBe(
      '/api/model-calls/export?userDid=z9&status=failed',
    );
  });

  it('keeps decimal strings as strings and picks up a top-up link', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { balance: '12.500000000000000001', currency: 'credits', pending: '0', link: '/pay' }));
    const credits = await getCredits();
    expect(credits.balance).toBe('12.500000000000000001');
    expect(credits.link).toBe('/pay');
  });

  it('reports a failed credential test from either an error status or the body', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(jsonResponse(400, { error: { message: 'Incorrect API key', type: 'invalid_request_error' } }));
    expect(await testCredential('p', 'c')).toEqual({ ok: false, message: 'Incorrect API key' });
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { ok: false, error: 'quota exceeded' }));
    expect(await testCredential('p', 'c')).toEqual({ ok: false, message: 'quota exceeded' });
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { ok: true }));
    expect((await testCredential('p', 'c')).ok).toBe(true);
  });
});

describe('answers', () => {
  it('reads the usage rows out of the stats answer', async () => {
    useFetch();
    const row = { key: '2025-01-02', calls: 3, errors: 1, inputTokens: 10, outputTokens: 20, credits: '0.0003', p50Ms: 120, p95Ms: null };
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { groupBy: 'day', from: '2025-01-01T00:00:00.000Z', to: '2025-01-03T00:00:00.000Z', data: [row] }));
    expect(await getUsageStats({ groupBy: 'day', from: '2025-01-01' })).toEqual([row]);
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/usage/stats?groupBy=day&from=2025-01-01');
  });

  it('says so when something other than the hub answered', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(new Response('<!doctype html><html></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    await expect(request('GET', '/api/ai-providers')).rejects.toMatchObject({ type: 'invalid_response', status: 200 });
  });

  it('qualifies model names with their provider once', () => {
    expect(qualifiedModelName({ model: 'gpt-4o-mini', provider: 'openai' })).toBe('openai/gpt-4o-mini');
    expect(qualifiedModelName({ model: 'openai/gpt-4o-mini', provider: 'openai' })).toBe('openai/gpt-4o-mini');
  });
});

describe('SSE reader', () => {
  it('splits events across arbitrary chunk boundaries, CRLF and multi-byte characters', async () => {
    const bytes = new TextEncoder().encode('data: héllo\r\n\r\n');
    // split inside the two-byte "é" and between CR and LF
    const pieces: Array<string | Uint8Array> = [
      ': keep-alive comment\n\n',
      'event: ping\ndata: {"a":',
      '1}\n\n',
      bytes.slice(0, 8),
      bytes.slice(8, 13),
      bytes.slice(13),
      'data: line one\ndata: line two\n\n',
      'data: last-without-blank-line',
    ];
    const events = [];
    for await (const event of readSseEvents(streamOf(pieces))) events.push(event);
    expect(events).toEqual([
      { event: 'ping', data: '{"a":1}', id: undefined },
      { event: 'message', data: 'héllo', id: undefined },
      { event: 'message', data: 'line one\nline two', id: undefined },
      { event: 'message', data: 'last-without-blank-line', id: undefined },
    ]);
  });

  it('cancels the stream when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readSseEvents(stream)) {
      expect(event.data).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);
  });
});

const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;

describe('chat stream', () => {
  it('delivers text pieces in order, then usage, and stops at [DONE]', async () => {
    const deltas: string[] = [];
    const result = await readChatStream(
      streamOf([
        chunk('Hel'),
        chunk('lo'),
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
        'data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}\n\n',
        'data: [DONE]\n\n',
        chunk('never read'),
      ]),
      { onDelta: (d) => deltas.push(d) },
    );
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(result).toEqual({ text: 'Hello', finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 } });
  });

  it('throws the error event sent after the stream started', async () => {
    const deltas: string[] = [];
    const promise = readChatStream(
      streamOf([chunk('partial'), 'data: {"error":{"message":"upstream reset","type":"upstream_error"}}\n\n']),
      { onDelta: (d) => deltas.push(d) },
    );
    await expect(promise).rejects.toMatchObject({ type: 'upstream_error', message: 'upstream reset', status: 502 });
    expect(deltas).toEqual(['partial']);
  });

  it('posts a streamed request with include_usage and reads the call id header', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(
      new Response(streamOf([chunk('Hi'), 'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\n', 'data: [DONE]\n\n']), {
        status: 200,
        headers: { 'Content-Type': 'text/event-stream', 'x-aigne-hub-model-call-id': 'call_123' },
      }),
    );
    const onCallId = vi.fn();
    const result = await streamChat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hey' }], onCallId });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/v1/chat/completions');
    expect(init?.credentials).toBe('same-origin');
    expect(JSON.parse(String(init?.body))).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'hey' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(onCallId).toHaveBeenCalledWith('call_123');
    expect(result).toEqual({
      callId: 'call_123',
      text: 'Hi',
      finishReason: null,
      usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 },
    });
  });

  it('turns a 402 before the stream into an ApiError with the top-up link', async () => {
    useFetch();
    fetchMock.mockResolvedValueOnce(
      jsonResponse(402, { error: { message: 'Insufficient credits', type: 'insufficient_credits', link: '/top-up' } }),
    );
    await expect(streamChat({ model: 'm', messages: [] })).rejects.toMatchObject({ status: 402, link: '/top-up' });
  });

  it('polls the call log until the call is settled', async () => {
    useFetch();
    fetchMock
      .mockResolvedValueOnce(jsonResponse(200, { data: [{ id: 'call_1', status: 'processing', credits: '0' }] }))
      .mockResolvedValueOnce(jsonResponse(200, { data: [{ id: 'call_2' }, { id: 'call_1', status: 'success', credits: '0.00042' }] }));
    const call = await findModelCall('call_1', { userDid: 'z1', delayMs: 1 });
    expect(call?.credits).toBe('0.00042');
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/model-calls?userDid=z1&limit=20');
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
