/**
 * The model routes served ahead of the generic Express stack. A request for one of them (exact
 * path, plain JSON body) runs the same middleware functions the stack would run — request context,
 * metrics, access log, CORS, cookies, authentication — and then the route's own handlers, without
 * the router's per-layer matching or the generic body parser; errors go to the stack's own error
 * handler. Anything else goes to the stack, so answers and error bodies are the ones it gives.
 */
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
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
  /** The stack's error handler. */
  onError: ErrorRequestHandler;
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

type Handle = (req: Request, res: Response, callback?: (err?: unknown) => void) => void;

/**
 * Puts the hot routes in front of the app's router: `app.handle` (what the app function calls for
 * every request, under a server and under supertest alike) serves them first and hands the rest on.
 */
export function installHotPath(app: Express, options: HotPathOptions): void {
  const table = new Map(
    options.routes.map((r) => [`${r.method} ${r.path}`, { chain: [options.authenticate, ...r.handlers], marker: { path: r.path, methods: { [r.method.toLowerCase()]: true } } }]),
  );
  const host = app as unknown as { handle: Handle; request: object; response: object };
  const handle = host.handle.bind(app);
  host.handle = (req, res, callback) => {
    const url = req.url;
    const q = url.indexOf('?');
    const route = table.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
    if (!route || !isPlainJsonRequest(req)) return handle(req, res, callback);
    // What app.handle and the router set up before the first middleware.
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, host.request);
    Object.setPrototypeOf(res, host.response);
    if (!res.locals) res.locals = Object.create(null) as Response['locals'];
    req.originalUrl = req.originalUrl || url;
    req.baseUrl = '';
    (req as { route?: unknown }).route = route.marker;
    const fail = (err: unknown) => {
      options.onError(err, req, res, (e?: unknown) => {
        if (e !== undefined && !res.headersSent) res.statusCode = 500;
        if (!res.writableEnded) res.end();
      });
    };
    runChain(options.before, req, res, (err) => {
      if (err) return fail(err);
      readJsonBody(req, options.bodyLimit).then(
        (body) => {
          if (body !== undefined) req.body = body;
          runChain(route.chain, req, res, (e) => fail(e ?? new NotFoundError(`No route for ${req.method} ${req.path}`)));
        },
        fail,
      );
    });
  };
}
