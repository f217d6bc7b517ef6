import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Caller } from '../services/access-keys.js';

export interface RequestContext {
  requestId: string;
  startedAt: number;
  caller: Caller | null;
  /** Set by model routes so the access log can name the call. */
  modelCallId?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      ctx: RequestContext;
    }
  }
}

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

/** Gives every request a context with an id (`x-request-id`, echoed back) and a start time. */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    req.ctx = { requestId, startedAt: performance.now(), caller: null };
    res.setHeader('x-request-id', requestId);
    next();
  };
}
