/**
 * /observability — the AIGNE trace viewer (the SPA `@aigne/observability-api` ships), for admins.
 *
 * The viewer's own API is served under /observability/api: from the local span store with the
 * package's own trace router, or proxied to AIGNE_OBSERVABILITY_URL. Inside Blocklet Server with
 * the Observability blocklet installed, /observability redirects to it. The SPA is built for the
 * site root; its index, stylesheet and script are served with their root paths moved under the
 * mount point.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError, AuthenticationError, PermissionDeniedError } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { loadAigneInternals } from '../services/observability/aigne-internals.js';
import type { Tracing } from '../services/observability/tracing.js';
import { pathOf } from '../lib/url-path.js';

export const TRACE_VIEWER_PATH = '/observability';

export interface TraceViewerOptions {
  tracing: Tracing;
  authenticate: RequestHandler;
  logger: Logger;
}

interface PatchedViewer {
  html: string;
  files: Map<string, { body: string; type: string }>;
  dir: string;
  assetsDir: string;
}

/** Moves the SPA's root-relative paths under the mount point; undefined if the build is not the expected one. */
async function patchViewer(dir: string, mount: string): Promise<PatchedViewer | undefined> {
  const html = (await fs.readFile(path.join(dir, 'index.html'), 'utf8')).replaceAll('"/assets/', `"${mount}/assets/`);
  const assetsDir = path.join(dir, 'assets');
  const files = new Map<string, { body: string; type: string }>();
  let routerPatched = false;
  for (const name of await fs.readdir(assetsDir)) {
    if (name.endsWith('.css')) {
      const css = await fs.readFile(path.join(assetsDir, name), 'utf8');
      files.set(name, { body: css.replaceAll('url(/assets/', `url(${mount}/assets/`), type: 'text/css; charset=utf-8' });
    } else if (name.endsWith('.js')) {
      const js = await fs.readFile(path.join(assetsDir, name), 'utf8');
      const basename = '{basename:"/"}';
      const apiPrefix = 'window.blocklet?.prefix??""';
      if (js.split(basename).length !== 2 || js.split(apiPrefix).length !== 2) continue;
      routerPatched = true;
      const body = js.replace(basename, `{basename:${JSON.stringify(mount)}}`).replace(apiPrefix, JSON.stringify(mount));
      files.set(name, { body, type: 'text/javascript; charset=utf-8' });
    }
  }
  return routerPatched ? { html, files, dir, assetsDir } : undefined;
}

const SIGN_IN_PAGE =
  '<!doctype html><title>AIGNE Hub traces</title><p>Sign in to the <a href="/">AIGNE Hub dashboard</a> as an admin, then open this page again.</p>';

function adminOnly() {
  return (req: Request, res: Response, next: NextFunction) => {
    const caller = req.ctx.caller;
    const wantsPage = req.method === 'GET' && !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
    if (!caller) {
      if (wantsPage) return res.status(401).type('html').send(SIGN_IN_PAGE);
      return next(new AuthenticationError('Authentication required: an admin session or access key', { code: 'missing_api_key' }));
    }
    if (caller.role !== 'admin') return next(new PermissionDeniedError('The trace viewer is for admins'));
    next();
  };
}

/** What the viewer may do through the hub: read, search, remark, download and delete traces. */
function allowedTraceCall(req: Request): boolean {
  if (req.method === 'GET' || req.method === 'DELETE') return true;
  return req.method === 'POST' && (req.path === '/remark' || req.path === '/download');
}

function localTraceApi(store: NonNullable<Tracing['localStore']>): Router {
  const api = express();
  api.disable('x-powered-by');
  const router = Router();
  let mounted: Promise<void> | undefined;
  router.use(async (_req, _res, next) => {
    api.locals.db ??= await store.db();
    await (mounted ??= store.internals.traceRouter().then((make) => void api.use(make({ sse: { send() {} }, middleware: [] }))));
    next();
  });
  router.use(api);
  return router;
}

function proxiedTraceApi(baseUrl: string): RequestHandler {
  return async (req, res) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== undefined;
    const upstream = await fetch(`${baseUrl}/api/trace${req.url}`, {
      method: req.method,
      headers: hasBody ? { 'content-type': 'application/json' } : {},
      body: hasBody ? JSON.stringify(req.body) : undefined,
      signal: AbortSignal.timeout(30_000),
    }).catch(() => {
      throw new AppError(502, 'upstream_error', 'The observability server could not be reached', { code: 'observability_unreachable' });
    });
    res.status(upstream.status);
    const type = upstream.headers.get('content-type');
    if (type) res.setHeader('Content-Type', type);
    const disposition = upstream.headers.get('content-disposition');
    if (disposition) res.setHeader('Content-Disposition', disposition);
    res.send(Buffer.from(await upstream.arrayBuffer()));
  };
}

export function traceViewerRoutes(options: TraceViewerOptions): Router {
  const { tracing, logger } = options;
  const router = Router();
  router.use(options.authenticate, adminOnly());

  router.use((_req, res, next) => {
    const external = tracing.externalViewerUrl();
    if (external) return res.redirect(302, external);
    next();
  });

  const traceApi = Router();
  traceApi.get('/tree/stats', (_req, res) => {
    res.json({ code: 0, data: { lastTraceChanged: false } });
  });
  traceApi.use((req, _res, next) => {
    if (!allowedTraceCall(req)) return next(new AppError(405, 'invalid_request_error', 'Not allowed through the hub', { code: 'method_not_allowed' }));
    next();
  });
  if (tracing.remoteUrl) traceApi.use(proxiedTraceApi(tracing.remoteUrl));
  else if (tracing.localStore) traceApi.use(localTraceApi(tracing.localStore));
  router.use('/api/trace', traceApi);
  router.get('/api/settings', (_req, res) => {
    res.json({ code: 0, data: { live: false } });
  });
  // Live updates are not relayed: an event stream that ends at once (the viewer does not reconnect).
  router.get('/api/sse', (_req, res) => {
    res.setHeader('Content-Type', 'text/event-stream');
    res.end();
  });
  router.use('/api', (req, _res, next) => next(new AppError(404, 'not_found', `No route for ${req.method} ${pathOf(req.originalUrl)}`)));

  let viewer: Promise<PatchedViewer | undefined> | undefined;
  const loadViewer = () => {
    viewer ??= (async () => {
      const patched = await patchViewer((await loadAigneInternals()).viewerDir, TRACE_VIEWER_PATH);
      if (!patched) logger.warn('the trace viewer build is not the expected one; /observability serves its API only');
      return patched;
    })().catch((err) => {
      logger.warn('loading the trace viewer failed', { err });
      return undefined;
    });
    return viewer;
  };

  router.get('/assets/:file', async (req, res, next) => {
    const v = await loadViewer();
    if (!v) return next();
    const file = v.files.get(String(req.params.file));
    if (file) {
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      return res.type(file.type).send(file.body);
    }
    res.sendFile(path.basename(String(req.params.file)), { root: v.assetsDir, maxAge: '365d', immutable: true }, (err) => {
      if (err) next(new AppError(404, 'not_found', 'No such viewer asset'));
    });
  });
  router.get('/model-prices.json', async (_req, res, next) => {
    const v = await loadViewer();
    if (!v) return next();
    res.sendFile('model-prices.json', { root: v.dir, maxAge: '1d' }, (err) => err && next(err));
  });
  router.get(/.*/, async (_req, res, next) => {
    const v = await loadViewer();
    if (!v) return next(new AppError(503, 'server_error', 'The trace viewer is not available on this hub', { code: 'trace_viewer_unavailable' }));
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(v.html);
  });
  return router;
}
