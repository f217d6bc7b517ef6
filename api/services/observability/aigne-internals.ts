/**
 * Pieces of `@aigne/observability-api` that its package exports do not list: the span row writer
 * (`insertTrace`) and the trace-viewer API router. Loaded from the package's own ESM build, so the
 * hub stores and serves spans exactly as the AIGNE observability server does. Written against
 * 0.11.x; a layout change makes `loadAigneInternals` reject, which disables only the local store
 * and the viewer.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initDatabase } from '@aigne/sqlite';
import { migrate } from '@aigne/observability-api/migrate';
import type { RequestHandler, Router } from 'express';
import type { TraceRow } from './trace-row.js';

/** What the span store is driven with: the libsql client under its drizzle database, and the hub's span writer. */
export interface SqlClient {
  execute(query: { sql: string; args: unknown[] }): Promise<{ rowsAffected: number }>;
  close(): void;
}

/** The drizzle database `@aigne/sqlite` opens (opaque here but for its client). */
export type TraceDb = { readonly $client: SqlClient };

export interface AigneInternals {
  insertTrace(db: TraceDb, row: TraceRow): Promise<void>;
  updateTrace(db: TraceDb, id: string, data: Record<string, unknown>): Promise<void>;
  /** Loaded on the viewer's first request: its module (archiver, unzipper, yaml) costs a start ~0.4 s of CPU. */
  traceRouter(): Promise<(options: { sse: { send(data: unknown): void }; middleware: RequestHandler[] }) => Router>;
  /** The built trace-viewer SPA (index.html and assets/). */
  viewerDir: string;
}

let loading: Promise<AigneInternals> | undefined;

function packageRoot(): string {
  const require = createRequire(import.meta.url);
  // …/lib/cjs/server/index.js → package root
  return path.resolve(path.dirname(require.resolve('@aigne/observability-api/server')), '..', '..', '..');
}

export function loadAigneInternals(): Promise<AigneInternals> {
  loading ??= (async () => {
    const root = packageRoot();
    const url = (rel: string) => pathToFileURL(path.join(root, rel)).href;
    const util = await import(url('lib/esm/core/util.js'));
    const routesFile = path.join(root, 'lib/esm/server/routes/trace.js');
    if (typeof util.insertTrace !== 'function' || typeof util.updateTrace !== 'function' || !fs.existsSync(routesFile)) {
      throw new Error('@aigne/observability-api has an unexpected layout');
    }
    let router: ReturnType<AigneInternals['traceRouter']> | undefined;
    return {
      insertTrace: util.insertTrace,
      updateTrace: util.updateTrace,
      traceRouter: () =>
        (router ??= import(pathToFileURL(routesFile).href).then((routes) => {
          if (typeof routes.default !== 'function') throw new Error('@aigne/observability-api has an unexpected layout');
          return routes.default;
        })),
      viewerDir: path.join(root, 'dist'),
    };
  })();
  return loading;
}

/** Opens (and migrates) an AIGNE span store the way the observer does: `file:` URL, WAL. */
export async function openTraceStore(url: string): Promise<TraceDb> {
  const db = await initDatabase({ url, wal: true });
  await migrate(db as Parameters<typeof migrate>[0]);
  return db as unknown as TraceDb;
}
