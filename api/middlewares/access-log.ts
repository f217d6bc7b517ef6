import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../lib/logger.js';
import { pathOf } from '../lib/url-path.js';

/**
 * One structured line per request: method, path (no query string, which may carry tokens),
 * status, ms, request id, caller's user. Never headers or bodies.
 */
export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.on('close', () => {
      logger.info('request', {
        method: req.method,
        path: pathOf(req.originalUrl),
        status: res.statusCode,
        ms: Math.round((performance.now() - req.ctx.startedAt) * 10) / 10,
        requestId: req.ctx.requestId,
        user: req.ctx.caller?.userDid,
        modelCallId: req.ctx.modelCallId,
        aborted: !res.writableFinished || undefined,
      });
    });
    next();
  };
}
