/**
 * The fast dispatcher: the route table's `hot` endpoints served ahead of Express's router. A request
 * for one of them (exact method and path) runs the app's own middlewares, then the mounts the
 * router would have run before the endpoint (authentication), then the endpoint's handlers — the
 * same functions, in the same order — and its errors go to the app's one error handler.
 *
 * What it skips is Express's per-request work: the router's layer matching and the swap of the
 * request's and response's prototypes, which makes every property access on them slow. Handlers
 * therefore get Node's own objects with the few properties the stack would have set, and use only
 * Node's methods (`sendJson`, `res.setHeader`, …); `withExpressApi` (lib/express-api.ts) adds
 * Express's for the rare code that needs them (the Blocklet SDK's session check).
 */
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { NotFoundError } from '../errors.js';
import { turnEnd } from '../lib/turn-end.js';
import { pathOf } from '../lib/url-path.js';
import { isEndpoint, type Endpoint, type RouteEntry } from '../routes/table.js';

export interface FastDispatchOptions {
  /** The app's middlewares that run before routing (request context … body reader), in order. */
  before: RequestHandler[];
  /** The route table. */
  routes: RouteEntry[];
  /** The app's error handler. */
  onError: ErrorRequestHandler;
}

type Done = (err?: unknown) => void;

/** Runs handlers in order, as Express does: `next(err)` stops, a rejected promise is an error. */
function runChain(chain: readonly RequestHandler[], req: Request, res: Response, done: Done): void {
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

const isRouter = (fn: RequestHandler) => Array.isArray((fn as unknown as { stack?: unknown }).stack);

/**
 * The handlers the router runs for a hot endpoint: those of the mounts before it whose prefix
 * covers its path, then its own. A router mounted there could answer the request itself, which the
 * fast dispatcher would not see: the table must not have one.
 */
function chainOf(routes: RouteEntry[], endpoint: Endpoint): RequestHandler[] {
  const chain: RequestHandler[] = [];
  for (const entry of routes) {
    if (entry === endpoint) return [...chain, ...endpoint.handlers];
    if (isEndpoint(entry) || !(endpoint.path === entry.mount || endpoint.path.startsWith(`${entry.mount}/`))) continue;
    if (entry.handlers.some(isRouter)) throw new Error(`A router mounted at ${entry.mount} comes before the hot route ${endpoint.path}`);
    chain.push(...entry.handlers);
  }
  throw new Error(`${endpoint.path} is not in the route table`);
}

type Handle = (req: Request, res: Response, callback?: (err?: unknown) => void) => void;

/**
 * Puts the hot endpoints in front of the app's router: `app.handle` (what the app function calls for
 * every request, under a server and under supertest alike) serves them first and hands the rest on.
 */
export function installFastDispatch(app: Express, options: FastDispatchOptions): void {
  const table = new Map<string, { method: string; chain: RequestHandler[]; marker: object }>();
  for (const entry of options.routes) {
    if (!isEndpoint(entry) || !entry.hot) continue;
    const method = entry.method.toUpperCase();
    table.set(entry.path, { method, chain: chainOf(options.routes, entry), marker: { path: entry.path, methods: { [entry.method]: true } } });
  }
  if (!table.size) return;
  const host = app as unknown as { handle: Handle };
  /** Hot requests of this app whose responses have not closed. */
  let open = 0;
  const handle = host.handle.bind(app);
  host.handle = (req, res, callback) => {
    const url = req.url;
    const path = pathOf(url);
    const route = table.get(path);
    if (!route || route.method !== req.method) return handle(req, res, callback);
    // What app.handle and the router set up before the first middleware (prototypes aside).
    req.res = res;
    res.req = req;
    (req as { app: unknown }).app = app;
    if (!res.locals) res.locals = Object.create(null) as Response['locals'];
    req.originalUrl = req.originalUrl || url;
    req.baseUrl = '';
    (req as { route?: unknown }).route = route.marker;
    const fail = (err: unknown) =>
      options.onError(err, req, res, (e?: unknown) => {
        if (e !== undefined && !res.headersSent) res.statusCode = 500;
        if (!res.writableEnded) res.end();
      });
    open += 1;
    res.once('close', () => (open -= 1));
    const handlers = () => runChain(route.chain, req, res, (e) => fail(e ?? new NotFoundError(`No route for ${req.method} ${path}`)));
    runChain(options.before, req, res, (err) => {
      if (err) return fail(err);
      // With other hot requests open, the handlers run at the end of this turn of the event loop,
      // after the other requests whose bodies came in it: calls are then begun, settled and answered
      // in batches (model-call.ts). A client that leaves meanwhile is seen when its call begins.
      if (open > 1) turnEnd().then(handlers);
      else handlers();
    });
  };
}
