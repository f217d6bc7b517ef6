/**
 * Same-wire pass-through for OpenAI-compatible upstreams: the client's OpenAI request goes upstream
 * as it is (model renamed, usage requested), and the answer comes back parsed only where it must be
 * (usage, errors). Faster than translating through the framework's message types.
 */
import { Agent } from 'undici';
import { ProviderError } from '../../errors.js';
import type { ProviderTarget } from '../../providers/types.js';
import type { AttemptAbort } from './attempt-abort.js';

export const passthroughAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 1024,
  headersTimeout: 0,
  bodyTimeout: 0,
});

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

export function classifyTransportError(err: unknown): ProviderError | unknown {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'AbortError' || e?.code === 'UND_ERR_ABORTED') return err;
  const code = e?.code ?? e?.cause?.code;
  if (code && CONNECTION_CODES.has(code)) return new ProviderError(`connection failed (${code})`, { kind: 'connection', cause: err });
  return err;
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** The message of an upstream error body (OpenAI, Anthropic, Google shapes, or text). */
export function upstreamErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    if (typeof body.error === 'string') return body.error;
    if (body.error?.message) return body.error.message;
    if (body.message) return body.message;
  } catch {
    // not JSON
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.slice(0, 300) || 'no error message';
}

/** `${baseUrl}/chat/completions` split into origin and path, once per base URL. */
const endpoints = new Map<string, { origin: string; path: string }>();
function chatEndpoint(baseUrl: string): { origin: string; path: string } {
  let e = endpoints.get(baseUrl);
  if (!e) {
    const url = new URL(`${baseUrl}/chat/completions`);
    e = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (endpoints.size >= 1000) endpoints.clear();
    endpoints.set(baseUrl, e);
  }
  return e;
}

export interface PassthroughRequest {
  target: ProviderTarget;
  upstreamModel: string;
  body: Record<string, unknown>;
  stream: boolean;
  /** Aborts the upstream request (and the answer's body while it is read); undici's signal. */
  abort: AttemptAbort;
}

export type PassthroughOpened =
  | { kind: 'json'; json: Record<string, unknown> }
  | { kind: 'stream'; iterator: AsyncIterator<Buffer>; first: Buffer | null };

interface RawAnswer {
  status: number;
  retryAfter?: string;
  text: string;
}

/**
 * A whole (non-streamed) answer through undici's handler interface: the body's chunks are kept and
 * decoded once, without the Readable stream and its events that `request()` makes per answer.
 * Rejects as `request()` does: with the abort's reason when the attempt is aborted, with undici's
 * error when the connection fails.
 */
function requestWhole(origin: string, path: string, headers: Record<string, string>, body: string, abort: AttemptAbort): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    if (abort.aborted) return reject(abort.reason);
    const chunks: Buffer[] = [];
    let status = 0;
    let retryAfter: string | undefined;
    let cancel: ((reason: unknown) => void) | undefined;
    const onAbort = () => cancel?.(abort.reason);
    abort.once('abort', onAbort);
    const done = () => abort.removeListener('abort', onAbort);
    passthroughAgent.dispatch(
      { origin, path, method: 'POST', headers, body },
      {
        onConnect(abortRequest: (reason: unknown) => void) {
          if (abort.aborted) abortRequest(abort.reason);
          else cancel = abortRequest;
        },
        onHeaders(statusCode: number, rawHeaders: Buffer[]) {
          status = statusCode;
          if (statusCode >= 400) retryAfter = headerValue(rawHeaders, 'retry-after');
          return true;
        },
        onData(chunk: Buffer) {
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          done();
          resolve({ status, retryAfter, text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8') });
        },
        onError(err: Error) {
          done();
          reject(err);
        },
      } as unknown as Parameters<typeof passthroughAgent.dispatch>[1],
    );
  });
}

function headerValue(rawHeaders: Buffer[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toString('latin1').toLowerCase() === name) return rawHeaders[i + 1]!.toString('latin1');
  return undefined;
}

/** The error an upstream's 4xx/5xx answer stands for. */
function httpError(status: number, text: string, retryAfter: string | string[] | undefined): ProviderError {
  return new ProviderError(upstreamErrorMessage(text), { kind: 'http', status, retryAfter: parseRetryAfter(retryAfter) });
}

export async function openOpenAIPassthrough(p: PassthroughRequest): Promise<PassthroughOpened> {
  if (!p.target.baseUrl) throw new ProviderError('the provider has no base URL', { kind: 'protocol' });
  const payload: Record<string, unknown> = { ...p.body, model: p.upstreamModel };
  if (p.stream) payload.stream_options = { ...((p.body.stream_options as object | null) ?? {}), include_usage: true };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: p.stream ? 'text/event-stream' : 'application/json' };
  const key = p.target.credential.api_key;
  if (key) headers.authorization = `Bearer ${key}`;
  const { origin, path } = chatEndpoint(p.target.baseUrl);
  if (!p.stream) return { kind: 'json', json: await openWhole(origin, path, headers, JSON.stringify(payload), p.abort) };
  let res;
  try {
    res = await passthroughAgent.request({ origin, path, method: 'POST', headers, body: JSON.stringify(payload), signal: p.abort });
  } catch (err) {
    throw classifyTransportError(err);
  }
  if (res.statusCode >= 400) {
    let text = '';
    try {
      text = await res.body.text();
    } catch {
      // connection died while reading the error
    }
    throw httpError(res.statusCode, text, res.headers['retry-after']);
  }
  try {
    const iterator = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    return { kind: 'stream', iterator, first: first.done ? null : first.value };
  } catch (err) {
    const classified = classifyTransportError(err);
    if (classified instanceof ProviderError) throw classified;
    if ((err as { name?: string })?.name === 'AbortError') throw err;
    throw new ProviderError(`unreadable answer: ${(err as Error)?.message ?? err}`, { kind: 'protocol', cause: err });
  }
}

async function openWhole(origin: string, path: string, headers: Record<string, string>, body: string, abort: AttemptAbort): Promise<Record<string, unknown>> {
  let answer: RawAnswer;
  try {
    answer = await requestWhole(origin, path, headers, body, abort);
  } catch (err) {
    throw classifyTransportError(err);
  }
  if (answer.status >= 400) throw httpError(answer.status, answer.text, answer.retryAfter);
  try {
    return JSON.parse(answer.text) as Record<string, unknown>;
  } catch (err) {
    throw new ProviderError(`unreadable answer: ${(err as Error).message}`, { kind: 'protocol', cause: err });
  }
}
