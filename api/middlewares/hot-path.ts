/**
 * The model routes served ahead of the generic Express stack. A request for one of them (exact
 * path, plain JSON body) runs the same middleware functions the stack would run — request context,
 * metrics, access log, CORS, cookies, authentication — and then the route's own handlers, without
 * the router's per-layer matching or the generic body parser. Anything else, and every error, goes
 * on to the stack, so answers and error bodies are the ones the stack gives.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { NotFoundError } from '../errors.js';
import { isPlainJsonRequest, readJsonBody } from './json-body.js';

export interface HotRoute {
  method: 'POST';
  /** The full path, e.g. `/api/v1/chat/completions`. */
  path: string;
  /** What runs after authentication: guards, validation, the handler. */
  handlers: RequestHandler[];
}

export interface HotPathOptions {
  routes: HotRoute[];
  /** The app's own middlewares that run before routing, in their order. */
  before: RequestHandler[];
  /** The app's authentication middleware (after the body, as in the stack). */
  authenticate: RequestHandler;
  bodyLimit: number;
}

type Done = (err?: unknown) => void;

/** Runs handlers in order, as Express does: `next(err)` stops, a rejected promise is an error. */
export function runChain(chain: readonly RequestHandler[], req: Request, res: Response, done: Done): void {
  let i = 0;
  const next = (err?: unknown) => {
    if (err !== undefined && err !== null) return done(err);
    const fn = chain[i++];
    if (!fn) return done();
    try {
      const result = fn(req, res, next as NextFunction) as unknown;
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (e: unknown) => next(e ?? new Error('Rejected promise')));
      }
    } catch (e) {
      next(e);
    }
  };
  next();
}

export function hotPath(options: HotPathOptions): RequestHandler {
  const table = new Map(
    options.routes.map((r) => [`${r.method} ${r.path}`, { chain: [options.authenticate, ...r.handlers], marker: { path: r.path, methods: { [r.method.toLowerCase()]: true } } }]),
  );
  return (req, res, next) => {
    const url = req.url;
    const q = url.indexOf('?');
    const route = table.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
    if (!route || !isPlainJsonRequest(req)) return next();
    (req as { route?: unknown }).route = route.marker;
    runChain(options.before, req, res, (err) => {
      if (err) return next(err);
      readJsonBody(req, options.bodyLimit).then(
        (body) => {
          if (body !== undefined) req.body = body;
          runChain(route.chain, req, res, (e) => next(e ?? new NotFoundError(`No route for ${req.method} ${req.path}`)));
        },
        (e: unknown) => next(e),
      );
    });
  };
}
