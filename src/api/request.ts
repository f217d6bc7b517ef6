/**
 * The dashboard's one way to reach the hub. Every call goes through `send()`, which sends the
 * session cookie and turns the hub's error body (`{"error": {"message", "type", "code"}}`) into an
 * `ApiError`; `request()` reads the JSON answer.
 */
import { ERROR_TYPE_BY_STATUS } from '../../api/wire/errors.js';

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code?: string;
  /** Top-up link sent with 402 insufficient_credits. */
  readonly link?: string;
  /** Seconds from `Retry-After`, when the hub sent one. */
  readonly retryAfter?: number;

  constructor(
    status: number,
    type: string,
    message: string,
    extra: { code?: string; link?: string; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.code = extra.code;
    this.link = extra.link;
    this.retryAfter = extra.retryAfter;
  }
}

function fallbackType(status: number): string {
  return ERROR_TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'http_error');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Build an ApiError from a parsed `{"error": {...}}` object (HTTP body or SSE event). A proxy in
 * front of the hub may answer anything, so every field is checked.
 */
export function errorFromBody(status: number, body: unknown, fallbackMessage?: string, retryAfter?: number): ApiError {
  const err = isRecord(body) ? body.error : undefined;
  if (isRecord(err)) {
    const message = typeof err.message === 'string' && err.message ? err.message : fallbackMessage ?? `HTTP ${status}`;
    const type = typeof err.type === 'string' && err.type ? err.type : fallbackType(status);
    return new ApiError(status, type, message, {
      code: typeof err.code === 'string' ? err.code : undefined,
      link: typeof err.link === 'string' ? err.link : undefined,
      retryAfter,
    });
  }
  return new ApiError(status, fallbackType(status), fallbackMessage || `HTTP ${status}`, { retryAfter });
}

/** Turn a non-2xx response into an ApiError; tolerant of non-JSON bodies (a proxy's HTML page). */
export async function parseErrorResponse(res: Response): Promise<ApiError> {
  const retryHeader = res.headers.get('retry-after');
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader.trim()) ? Number(retryHeader) : undefined;
  let text = '';
  try {
    text = await res.text();
  } catch {
    text = '';
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const plain = body === undefined && text && text.length <= 200 && !text.trimStart().startsWith('<') ? text.trim() : '';
  return errorFromBody(res.status, body, plain || res.statusText || `HTTP ${res.status}`, retryAfter);
}

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Called when any request (other than the session probe and login) answers 401. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** What the caller reads (`application/json` unless given). */
  accept?: string;
  /** Do not call the unauthorized handler on 401 (the session probe and login themselves). */
  quiet401?: boolean;
}

/** Sends a request and answers its response when it is a success; throws ApiError otherwise. */
export async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
  }
  if (!res.ok) {
    const error = await parseErrorResponse(res);
    if (res.status === 401 && !options.quiet401) unauthorizedHandler?.();
    throw error;
  }
  return res;
}

/** The JSON answer of a request, typed as the route answers it (api/wire); undefined for 204. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, options);
  const text = res.status === 204 ? '' : await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A proxy or a static server answered instead of the hub.
    throw new ApiError(res.status, 'invalid_response', `${method} ${path} did not answer JSON`);
  }
}

export function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;
