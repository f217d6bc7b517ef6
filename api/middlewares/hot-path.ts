/**
 * The model routes served ahead of the generic Express stack. A request for one of them (exact
 * path, plain JSON body) runs the same middleware functions the stack would run — request context,
 * metrics, access log, CORS, cookies, authentication — and then the route's own handlers, without
 * the router's per-layer matching or the generic body parser; errors go to the stack's own error
 * handler. Anything else goes to the stack, so answers and error bodies are the ones it gives.
 *
 * The handlers get Node's own request and response objects: Express gives every request its
 * methods by swapping the prototypes of both objects, and objects whose prototype changed make
 * every property access on them slow (a fifth of the hub's CPU per call under load). What the
 * stack would have set is set as own properties (`app`, `originalUrl`, `baseUrl`, `route`,
 * `res.locals`); Express's methods (`res.status`, `res.json`, `req.get`, …) are not there — hot
 * handlers answer with `sendJson` and Node's methods — until `withExpressApi` adds them, which the
 * error path and the Blocklet session check do.
 */
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { NotFoundError } from '../errors.js';
import { turnEnd } from '../lib/turn-end.js';
import { isPlainJsonRequest, readJsonBody } from './json-body.js';
import { pathOf } from '../lib/url-path.js';

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

/** Gives a request served by the hot path (and its response) Express's methods; a no-op for any other. */
export function withExpressApi(req: Request): void {
  const app = req.app as unknown as { request: object; response: object } | undefined;
  if (!app || Object.getPrototypeOf(req) === app.request) return;
  Object.setPrototypeOf(req, app.request);
  if (req.res) Object.setPrototypeOf(req.res, app.response);
}

/**
 * Puts the hot routes in front of the app's router: `app.handle` (what the app function calls for
 * every request, under a server and under supertest alike) serves them first and hands the rest on.
 */
export function installHotPath(app: Express, options: HotPathOptions): void {
  // Keyed by path, the method checked apart: no key string built per request.
  const table = new Map(
    options.routes.map((r) => [r.path, { method: r.method, chain: [options.authenticate, ...r.handlers], marker: { path: r.path, methods: { [r.method.toLowerCase()]: true } } }]),
  );
  const host = app as unknown as { handle: Handle };
  /** Hot requests of this app whose responses have not closed. */
  let open = 0;
  const handle = host.handle.bind(app);
  host.handle = (req, res, callback) => {
    const url = req.url;
    const path = pathOf(url);
    const route = table.get(path);
    if (!route || route.method !== req.method || !isPlainJsonRequest(req)) return handle(req, res, callback);
    // What app.handle and the router set up before the first middleware (prototypes aside).
    req.res = res;
    res.req = req;
    (req as { app: unknown }).app = app;
    if (!res.locals) res.locals = Object.create(null) as Response['locals'];
    req.originalUrl = req.originalUrl || url;
    req.baseUrl = '';
    (req as { route?: unknown }).route = route.marker;
    const fail = (err: unknown) => {
      withExpressApi(req);
      options.onError(err, req, res, (e?: unknown) => {
        if (e !== undefined && !res.headersSent) res.statusCode = 500;
        if (!res.writableEnded) res.end();
      });
    };
    open += 1;
    res.once('close', () => (open -= 1));
    const handlers = () => runChain(route.chain, req, res, (e) => fail(e ?? new NotFoundError(`No route for ${req.method} ${path}`)));
    runChain(options.before, req, res, (err) => {
      if (err) return fail(err);
      readJsonBody(req, options.bodyLimit).then(
        (body) => {
          if (body !== undefined) req.body = body;
          // With other hot requests open, the handlers run at the end of this turn of the event
          // loop, after the other requests whose bodies came in it: the same steps then run for
          // many requests in a row, as answers are settled at the turn's end (model-call.ts). A
          // client that leaves meanwhile is seen by its call when it begins (`res.closed`).
          if (open > 1) turnEnd().then(handlers);
          else handlers();
        },
        fail,
      );
    });
  };
}
