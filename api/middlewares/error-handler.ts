/**
 * The one error path (API.md §2). It uses only what Node's own response offers, so it answers the
 * same under the Express stack and under the fast dispatcher, whose handlers get Node's objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError, BadRequestError, ClientAbortedError, NotFoundError, PayloadTooLargeError, ProviderError, UpstreamError } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { redactSecrets } from '../lib/redact.js';
import { pathOf } from '../lib/url-path.js';

/** Maps errors thrown by libraries (body reading, static files) and anything else to an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large') return new PayloadTooLargeError(`Request body is larger than the limit of ${e.limit} bytes`);
  if (e?.type === 'entity.parse.failed') return new BadRequestError('Request body is not valid JSON', { code: 'invalid_json' });
  const status = e?.status ?? e?.statusCode;
  // http-errors thrown by libraries we mount (e.g. express.static's 404 or 416).
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 499) {
    return status === 404 ? new NotFoundError() : new AppError(status, 'invalid_request_error', e.message ?? 'Bad request');
  }
  return new AppError(500, 'server_error', 'Internal server error');
}

const isEventStream = (res: ServerResponse) => String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');

/** How a route's wire format writes an error: its JSON body, and its stream event once a stream has started. */
export interface ErrorFormat {
  body(err: AppError): unknown;
  /** The whole SSE event (`event:` line included where the format has one); `cause`: what was thrown. */
  event(err: AppError, cause?: unknown): string;
}

const API_ERRORS: ErrorFormat = {
  body: (err) => err.toBody(),
  event: (err) => `data: ${JSON.stringify(err.toBody())}\n\n`,
};

const ERROR_FORMAT = Symbol('errorFormat');
type WithFormat = ServerResponse & { [ERROR_FORMAT]?: ErrorFormat };

/** Has this response's errors written in `format` (for a format whose stream events carry state, e.g. a sequence number). */
export function useErrorFormat(res: ServerResponse, format: ErrorFormat): void {
  (res as WithFormat)[ERROR_FORMAT] = format;
}

/** A middleware that has the route's errors written in its wire format (API.md §2's otherwise). */
export function errorFormat(format: ErrorFormat) {
  return (_req: IncomingMessage, res: ServerResponse, next: NextFunction) => {
    useErrorFormat(res, format);
    next();
  };
}

/** Writes an error in the route's format: a JSON body, or one SSE event once a stream has started. */
export function sendError(res: ServerResponse, err: AppError, cause?: unknown): void {
  const format = (res as WithFormat)[ERROR_FORMAT] ?? API_ERRORS;
  if (res.headersSent) {
    if (!res.writableEnded && isEventStream(res)) res.write(format.event(err, cause));
    if (!res.writableEnded) res.end();
    return;
  }
  const text = JSON.stringify(format.body(err));
  res.statusCode = err.status;
  if (err.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfter))));
  for (const [name, value] of Object.entries(err.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Ends a response after a failure that happened once the upstream had answered: a JSON error if
 * nothing was sent yet, else one SSE error event. The upstream's failure is a 502 here, never a 500.
 */
export function finishWithError(res: ServerResponse, err: unknown): void {
  if (err instanceof ClientAbortedError || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  sendError(res, midAnswerError(err), err);
}

function midAnswerError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if ((err as { name?: string })?.name === 'AbortError') return new UpstreamError('Upstream connection was aborted', { code: 'upstream_stream_error' });
  const mapped = toAppError(err);
  if (mapped.status !== 500 && !(err instanceof ProviderError)) return mapped;
  const message = err instanceof Error ? err.message : String(err);
  return new UpstreamError(`Upstream failed mid-response: ${redactSecrets(message)}`, { code: 'upstream_stream_error' });
}

export function notFoundHandler() {
  return (req: IncomingMessage, _res: ServerResponse, next: NextFunction) => {
    next(new NotFoundError(`No route for ${req.method} ${pathOf(req.url ?? '/')}`));
  };
}

export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.status >= 500 && !(err instanceof AppError)) {
      logger.error('unhandled error', { err, requestId: req.ctx?.requestId, path: pathOf(req.url ?? '/') });
    }
    sendError(res, appError);
  };
}
