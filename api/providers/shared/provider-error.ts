/**
 * Classify anything an SDK (openai, @anthropic-ai/sdk, @google/genai, AWS) or the network throws
 * into a ProviderError, so the gateway decides retries and failover on `retryable`, not on text.
 */
import { ProviderError, type ProviderErrorKind } from '../../errors.js';
import { redactSecrets } from '../../lib/redact.js';

export interface ProviderErrorContext {
  /** The call's signal: an abort we caused is `aborted` (or `timeout` when its reason says so). */
  signal?: AbortSignal;
  /** Credential values that must never appear in a message. */
  secrets?: (string | undefined)[];
  /** Display name used as the message prefix. */
  provider?: string;
}

/** In-stream error types (no HTTP status of their own) and the status they stand for. */
const ERROR_TYPE_STATUS: Record<string, number> = {
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

/** Socket and undici error codes: the upstream could not be reached, or dropped the connection. */
export const CONNECTION_CODES = new Set([
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
]);
/** Error codes of a connection or read that took too long: a timeout, not a refusal. */
export const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type Loose = Record<string, any>;

function isObject(x: unknown): x is Loose {
  return typeof x === 'object' && x !== null;
}

/** The error and its `cause` chain (bounded). */
function chain(err: unknown): Loose[] {
  const out: Loose[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 6 && isObject(cur); i++) {
    out.push(cur);
    cur = cur.cause;
  }
  return out;
}

/** The error's class name: SDK errors do not always set `name`. */
function nameOf(e: Loose): string {
  const name = typeof e.name === 'string' ? e.name : '';
  if (name && name !== 'Error') return name;
  const ctor = e.constructor?.name;
  return typeof ctor === 'string' ? ctor : name;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const v = headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}

/** Seconds to wait from `retry-after-ms` / `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: unknown): number | undefined {
  const ms = headerOf(headers, 'retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Math.ceil(Number(ms) / 1000));
  const v = headerOf(headers, 'retry-after');
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return Math.max(0, Math.ceil(n));
  const date = Date.parse(v);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

function statusOf(e: Loose): number | undefined {
  for (const s of [e.status, e.statusCode, e.$metadata?.httpStatusCode, e.response?.status]) {
    if (typeof s === 'number' && s >= 100 && s < 600) return s;
  }
  // @aigne/core's fetch helper: "Fetch <url> error: 401 Unauthorized …"
  if (typeof e.message === 'string') {
    const m = /^Fetch \S+ error: (\d{3}) /.exec(e.message);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The upstream's own explanation, from the parsed error body when there is one. */
function upstreamMessage(e: Loose): string {
  const body = e.error;
  if (isObject(body)) {
    if (isObject(body.error) && typeof body.error.message === 'string') return body.error.message;
    if (typeof body.message === 'string') return body.message;
  }
  if (typeof body === 'string' && body) return body;
  if (typeof e.message === 'string') {
    // Google's ApiError message is the JSON error body.
    const json = e.message.startsWith('{') ? safeParse(e.message) : undefined;
    if (isObject(json) && isObject(json.error) && typeof json.error.message === 'string') return json.error.message;
    return e.message;
  }
  return String(e);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorTypeOf(e: Loose): string | undefined {
  const body = e.error;
  if (isObject(body)) {
    if (isObject(body.error) && typeof body.error.type === 'string') return body.error.type;
    if (typeof body.type === 'string' && body.type !== 'error') return body.type;
  }
  return undefined;
}

/** Google answers a bad API key with 400 INVALID_ARGUMENT + reason API_KEY_INVALID. */
function isGoogleInvalidKey(e: Loose): boolean {
  return typeof e.message === 'string' && e.message.includes('API_KEY_INVALID');
}

function clip(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function make(kind: ProviderErrorKind, detail: string, ctx: ProviderErrorContext, err: unknown, status?: number, retryAfter?: number) {
  const prefix = ctx.provider ? `${ctx.provider}: ` : '';
  const head = status ? `upstream returned ${status}` : `upstream ${kind} error`;
  const message = redactSecrets(`${prefix}${head}${detail ? `: ${clip(detail)}` : ''}`, ctx.secrets);
  return new ProviderError(message, { kind, status, retryAfter, cause: err });
}

/** Classify any thrown value into a ProviderError (an existing ProviderError is returned as is). */
export function toProviderError(err: unknown, ctx: ProviderErrorContext = {}): ProviderError {
  if (err instanceof ProviderError) return err;
  const signal = ctx.signal;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    if (reason?.name === 'TimeoutError') return make('timeout', 'no answer in time', ctx, err);
    return make('aborted', 'request aborted', ctx, err);
  }
  const links = chain(err);
  const e = links[0] ?? ({ message: String(err) } as Loose);

  let status = statusOf(e);
  if (status === undefined) {
    const type = errorTypeOf(e);
    if (type && Object.hasOwn(ERROR_TYPE_STATUS, type)) status = ERROR_TYPE_STATUS[type];
  }
  if (status !== undefined) {
    if (status === 400 && isGoogleInvalidKey(e)) status = 401;
    const headers = e.headers ?? e.$response?.headers ?? e.response?.headers;
    return make('http', upstreamMessage(e), ctx, err, status, parseRetryAfter(headers));
  }

  for (const link of links) {
    const name = nameOf(link);
    const code = String(link.code ?? '');
    if (name === 'APIConnectionTimeoutError' || name === 'TimeoutError' || TIMEOUT_CODES.has(code)) {
      return make('timeout', String(link.message ?? 'timed out'), ctx, err);
    }
  }
  for (const link of links) {
    const name = nameOf(link);
    if (name === 'APIUserAbortError' || name === 'AbortError') {
      // Not our signal: the SDK's own deadline fired.
      return make('timeout', 'the request was aborted before it completed', ctx, err);
    }
  }
  for (const link of links) {
    const name = nameOf(link);
    const code = String(link.code ?? '');
    const message = String(link.message ?? '');
    if (
      name === 'APIConnectionError' ||
      CONNECTION_CODES.has(code) ||
      /^(terminated|fetch failed|other side closed|socket hang up)$/i.test(message) ||
      /Fetch \S+ error: fetch failed/.test(message) ||
      /Session closed with error code/.test(message)
    ) {
      const detail = links.map((l) => l.code).find((c) => typeof c === 'string') ?? message;
      return make('connection', String(detail), ctx, err);
    }
  }
  if (/Fetch \S+ error: Timeout after/.test(String(e.message ?? ''))) return make('timeout', 'no answer in time', ctx, err);
  return make('protocol', String(e.message ?? err), ctx, err);
}
