/**
 * Typed errors. Every error that reaches the error handler becomes the API.md §2 body:
 * {"error": {"message", "type", "code"}} with the status below.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'insufficient_credits'
  | 'permission_denied'
  | 'not_found'
  | 'model_not_found'
  | 'conflict'
  | 'rate_limit_exceeded'
  | 'upstream_error'
  | 'no_available_provider'
  | 'upstream_timeout'
  | 'server_error';

/** The status clients never see: the access log's and the ModelCall row's word for a client that left. */
const CLIENT_CLOSED_REQUEST = 499;

export interface AppErrorOptions {
  code?: string;
  /** Extra top-level fields of the error object (e.g. `link` for 402, `param`). */
  extra?: Record<string, unknown>;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code?: string;
  readonly extra?: Record<string, unknown>;
  readonly retryAfter?: number;
  /** Headers the answer carries (e.g. `x-ratelimit-*` on a 429). */
  headers?: Record<string, string>;

  constructor(status: number, type: ErrorType, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.type = type;
    this.code = options.code;
    this.extra = options.extra;
    this.retryAfter = options.retryAfter;
  }

  toBody(): { error: Record<string, unknown> } {
    return {
      error: { message: this.message, type: this.type, code: this.code ?? this.type, ...this.extra },
    };
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(400, 'invalid_request_error', message, options);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'invalid_request_error', message, { code: 'payload_too_large' });
  }
}

export class AuthenticationError extends AppError {
  constructor(message = 'Missing or invalid access key', options: AppErrorOptions = {}) {
    super(401, 'authentication_error', message, options);
  }
}

export class InsufficientCreditsError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(402, 'insufficient_credits', message, options);
  }
}

export class PermissionDeniedError extends AppError {
  constructor(message = 'You are not allowed to do this', options: AppErrorOptions = {}) {
    super(403, 'permission_denied', message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found', options: AppErrorOptions = {}) {
    super(404, 'not_found', message, options);
  }
}

export class ModelNotFoundError extends AppError {
  constructor(model: string) {
    super(404, 'model_not_found', `The model '${model}' is not served by any enabled provider`, {
      code: 'model_not_found',
    });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(409, 'conflict', message, options);
  }
}

export class RateLimitError extends AppError {
  constructor(message: string, retryAfter: number) {
    super(429, 'rate_limit_exceeded', message, { retryAfter });
  }
}

/** Thrown when the client went away before its answer was complete. */
export class ClientAbortedError extends AppError {
  constructor() {
    super(CLIENT_CLOSED_REQUEST, 'invalid_request_error', 'The client closed the request', { code: 'client_closed_request' });
  }
}

export class UpstreamError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(502, 'upstream_error', message, options);
  }
}

export class NoAvailableProviderError extends AppError {
  constructor(message: string, retryAfter: number) {
    super(503, 'no_available_provider', message, { retryAfter });
  }
}

export class UpstreamTimeoutError extends AppError {
  constructor(message: string) {
    super(504, 'upstream_timeout', message);
  }
}

/**
 * A failure reported by (or while reaching) an upstream provider. `retryable` decides failover:
 * connection errors, timeouts, 408/409/429/5xx are retryable; 4xx otherwise are not.
 */
export type ProviderErrorKind = 'http' | 'connection' | 'timeout' | 'aborted' | 'protocol';

export class ProviderError extends Error {
  readonly status?: number;
  readonly kind: ProviderErrorKind;
  readonly retryable: boolean;
  /** Seconds the upstream asked us to wait (Retry-After), when it said so. */
  readonly retryAfter?: number;

  constructor(
    message: string,
    init: { status?: number; kind: ProviderErrorKind; retryAfter?: number; cause?: unknown },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProviderError';
    this.status = init.status;
    this.kind = init.kind;
    this.retryAfter = init.retryAfter;
    this.retryable = isRetryable(init.kind, init.status);
  }

  /** The upstream refused the credential itself (401/403). */
  get isAuthFailure(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

function isRetryable(kind: ProviderErrorKind, status?: number): boolean {
  if (kind === 'connection' || kind === 'timeout') return true;
  if (kind === 'aborted') return false;
  if (status === undefined) return kind === 'protocol';
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
