/**
 * createApp builds the Express app from already-open dependencies and never listens, so tests
 * drive it with supertest against a real, migrated database.
 */
import fs from 'node:fs';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import { accessLog } from './middlewares/access-log.js';
import { authenticate, type BlockletAuthenticator } from './middlewares/auth.js';
import { errorHandler, notFoundHandler } from './middlewares/error-handler.js';
import { installFastDispatch } from './middlewares/fast-dispatch.js';
import { jsonBody } from './middlewares/json-body.js';
import { requestContext } from './middlewares/request-context.js';
import { routeTable, type RouteDeps } from './routes/index.js';
import { isEndpoint } from './routes/table.js';
import type { BillingBackend } from './services/billing/backend.js';
import type { Gateway } from './services/gateway/gateway.js';
import type { Services } from './services/index.js';
import type { Observability } from './services/observability/setup.js';
import type { MediaStore } from './services/media-store.js';
import type { StoredResponses } from './services/stored-responses.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  services: Services;
  gateway: Gateway;
  billing: BillingBackend;
  storedResponses: StoredResponses;
  media: MediaStore;
  blockletAuth?: BlockletAuthenticator;
  /** Metrics and traces (GET /metrics, /observability). */
  observability?: Pick<Observability, 'metrics' | 'tracing'>;
  /** Resolves once the calls settled so far are written (reads of calls wait for it). */
  recordsSettled?: () => Promise<void>;
  /** Model health (the admin routes, and `status.available` in the model list). */
  health?: RouteDeps['health'];
  onRateCheck?: RouteDeps['onRateCheck'];
}

const EXPOSED_HEADERS = ['x-aigne-hub-model-call-id', 'x-request-id', 'retry-after', 'server-timing'];

/**
 * CORS as the `cors` package answers with these options: preflights through it, and on every other
 * request the two headers it would set (any origin, the exposed headers), without its per-request
 * option merging.
 */
function corsHeaders(): RequestHandler {
  const preflight = cors({ exposedHeaders: EXPOSED_HEADERS, maxAge: 600 });
  const exposed = EXPOSED_HEADERS.join(',');
  return (req, res, next) => {
    if (req.method === 'OPTIONS') return preflight(req, res, next);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', exposed);
    next();
  };
}

/** cookie-parser, run only when there are cookies to parse. */
function cookies(): RequestHandler {
  const parse = cookieParser();
  return (req, res, next) => {
    if (req.headers.cookie) return parse(req, res, next);
    req.cookies = Object.create(null) as Record<string, string>;
    next();
  };
}

function spa(webDir: string) {
  const index = path.join(webDir, 'index.html');
  const hasBuild = fs.existsSync(index);
  const statics = express.static(webDir, { index: false, maxAge: '1h' });
  return [
    statics,
    (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      if (req.path.startsWith('/api/') || !req.accepts('html')) return next();
      if (hasBuild) {
        res.setHeader('Cache-Control', 'no-cache');
        // Relative to `root`: an absolute path through a dot-folder (Blocklet Server installs apps
        // under `.blocklet-server/`) is refused by `send` as a dotfile, and / answered 404.
        return res.sendFile('index.html', { root: webDir });
      }
      res
        .type('html')
        .send('<!doctype html><title>AIGNE Hub</title><h1>AIGNE Hub</h1><p>The API is running. Build the dashboard with <code>npm run build</code>.</p>');
    },
  ];
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, services } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  // Everything before routing, in order: the fast dispatcher runs the very same functions.
  const before: RequestHandler[] = [requestContext()];
  if (deps.observability) before.push(deps.observability.metrics.http());
  if (config.accessLog) before.push(accessLog(logger));
  before.push(corsHeaders(), cookies(), jsonBody(config.maxBodySize));

  const routes = routeTable({
    config,
    logger,
    sequelize: services.sequelize,
    services,
    gateway: deps.gateway,
    billing: deps.billing,
    storedResponses: deps.storedResponses,
    media: deps.media,
    observability: deps.observability,
    authenticate: authenticate({ accessKeys: services.accessKeys, sessions: services.sessions, blocklet: deps.blockletAuth }),
    recordsSettled: deps.recordsSettled ?? (() => Promise.resolve()),
    health: deps.health,
    onRateCheck: deps.onRateCheck,
  });
  const onError = errorHandler(logger);
  installFastDispatch(app, { before, routes, onError });
  for (const middleware of before) app.use(middleware);
  for (const entry of routes) {
    if (isEndpoint(entry)) app[entry.method](entry.path, ...entry.handlers);
    else app.use(entry.mount, ...entry.handlers);
  }

  app.use('/api', notFoundHandler());
  app.use(spa(config.webDir));
  app.use(notFoundHandler());
  app.use(onError);
  return app;
}
