import type { NextFunction, Request, Response } from 'express';
import { AppError, BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import type { Logger } from '../lib/logger.js';

/** Maps body-parser errors and anything else thrown to an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large') return new PayloadTooLargeError(`Request body is larger than the limit of ${e.limit} bytes`);
  if (e?.type === 'entity.parse.failed') return new BadRequestError('Request body is not valid JSON', { code: 'invalid_json' });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new BadRequestError(e.message ?? 'Unsupported encoding');
  if (e?.type === 'request.aborted') return new BadRequestError('Request aborted by the client', { code: 'request_aborted' });
  return new AppError(500, 'server_error', 'Internal server error');
}

/** Writes an error as API.md §2 says: a JSON body, or one SSE event once a stream has started. */
export function sendError(res: Response, err: AppError): void {
  if (res.headersSent) {
    if (!res.writableEnded && String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
      res.write(`data: ${JSON.stringify(err.toBody())}\n\n`);
    }
    if (!res.writableEnded) res.end();
    return;
  }
  if (err.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfter))));
  res.status(err.status).type('application/json').send(JSON.stringify(err.toBody()));
}

export function notFoundHandler() {
  return (req: Request, _res: Response, next: NextFunction) => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`));
  };
}

export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.status >= 500 && !(err instanceof AppError)) {
      logger.error('unhandled error', { err, requestId: req.ctx?.requestId, path: req.path });
    }
    sendError(res, appError);
  };
}
