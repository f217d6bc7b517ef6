/**
 * createApp builds the Express app from already-open dependencies and never listens, so tests
 * drive it with supertest against a real, migrated database.
 */
import fs from 'node:fs';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import { accessLog } from './middlewares/access-log.js';
import { authenticate, type BlockletAuthenticator } from './middlewares/auth.js';
import { errorHandler, notFoundHandler } from './middlewares/error-handler.js';
import { installHotPath, type HotRoute } from './middlewares/hot-path.js';
import { requestContext } from './middlewares/request-context.js';
import { accessKeyRoutes, appRoutes } from './routes/admin/access-keys.js';
import { providerRoutes } from './routes/admin/providers.js';
import { authRoutes } from './routes/auth.js';
import { blockletJs } from './routes/blocklet-js.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { TRACE_VIEWER_PATH, traceViewerRoutes } from './routes/traces.js';
import type { Services } from './services/index.js';
import { setCallObservers } from './services/observability/call-timing.js';
import type { Observability } from './services/observability/setup.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  services: Services;
  blockletAuth?: BlockletAuthenticator;
  /** Metrics, traces and call marks (GET /metrics, /observability). */
  observability?: Pick<Observability, 'metrics' | 'tracing' | 'observers'>;
  /**
   * Extra routers mounted under /api before the 404 handler (feature modules register here). A
   * router's `hot` routes are also served ahead of the generic stack, with the same middlewares.
   */
  apiRouters?: { path: string; router: Router; hot?: HotRoute[] }[];
  /** Paths whose bodies are read by their own handler instead of the JSON parser. */
  rawBodyPaths?: string[];
}

const EXPOSED_HEADERS = ['x-aigne-hub-model-call-id', 'x-request-id', 'retry-after', 'server-timing'];

function jsonBody(limit: number, skip: string[]) {
  const parser = express.json({ limit, type: ['application/json', 'application/*+json'] });
  return (req: Request, res: Response, next: NextFunction) => {
    if (skip.includes(req.path)) return next();
    parser(req, res, next);
  };
}

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
        return res.sendFile(index);
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

  // Everything before routing, in order: the hot path runs the very same functions.
  const before: RequestHandler[] = [requestContext()];
  if (deps.observability) {
    setCallObservers(app, deps.observability.observers);
    before.push(deps.observability.metrics.http());
  }
  if (config.accessLog) before.push(accessLog(logger));
  before.push(corsHeaders(), cookies());
  const auth = authenticate({ accessKeys: services.accessKeys, sessions: services.sessions, blocklet: deps.blockletAuth });

  const rawBodyPaths = deps.rawBodyPaths ?? [];
  const hot = (deps.apiRouters ?? []).flatMap((r) => r.hot ?? []).filter((r) => !rawBodyPaths.includes(r.path));
  const onError = errorHandler(logger);
  if (hot.length) installHotPath(app, { routes: hot, before, authenticate: auth, bodyLimit: config.maxBodySize, onError });
  for (const middleware of before) app.use(middleware);
  app.use(jsonBody(config.maxBodySize, rawBodyPaths));

  app.get('/__blocklet__.js', blockletJs(config));
  app.use('/api/health', healthRoutes({ sequelize: services.sequelize, version: config.version }));

  app.use('/api', auth);
  if (deps.observability) {
    app.use('/metrics', metricsRoutes({ metrics: deps.observability.metrics, token: config.metricsToken, authenticate: auth }));
    const { tracing } = deps.observability;
    if (tracing) app.use(TRACE_VIEWER_PATH, traceViewerRoutes({ tracing, authenticate: auth, logger }));
  }
  app.use('/api/auth', authRoutes(services));
  for (const { path: p, router } of deps.apiRouters ?? []) app.use(p, router);
  app.use('/api/ai-providers', providerRoutes(services.providerAdmin));
  app.use('/api/access-keys', accessKeyRoutes(services.accessKeys));
  app.use('/api/apps', appRoutes(services.apps));

  app.use('/api', notFoundHandler());
  app.use(spa(config.webDir));
  app.use(notFoundHandler());
  app.use(onError);
  return app;
}
