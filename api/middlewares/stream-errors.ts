import type { Response } from 'express';
import { AppError, UpstreamError } from '../errors.js';
import { redactSecrets } from '../lib/redact.js';
import { ClientAbortedError } from '../services/gateway/failover.js';
import { sendError, toAppError } from './error-handler.js';

/**
 * Ends a response after a failure that happened once the upstream had answered: a JSON error if
 * nothing was sent yet, else one SSE error event (API.md §2).
 */
export function finishWithError(res: Response, err: unknown): void {
  if (err instanceof ClientAbortedError || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  const appError =
    err instanceof AppError
      ? err
      : err instanceof Error && err.name === 'ProviderError'
        ? new UpstreamError(`Upstream failed mid-response: ${redactSecrets(err.message)}`, { code: 'upstream_stream_error' })
        : (err as { name?: string })?.name === 'AbortError'
          ? new UpstreamError('Upstream connection was aborted', { code: 'upstream_stream_error' })
          : toAppError(err).status === 500
            ? new UpstreamError(`Upstream failed mid-response: ${redactSecrets(err instanceof Error ? err.message : String(err))}`, { code: 'upstream_stream_error' })
            : toAppError(err);
  sendError(res, appError);
}
