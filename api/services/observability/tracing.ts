/**
 * Traces of model calls through `AIGNEObserver` (`@aigne/observability-api`).
 *
 * The hub's observer is built with export/update functions that hand AIGNE-format span rows to a
 * sink: the Observability blocklet inside Blocklet Server, `AIGNE_OBSERVABILITY_URL` standalone,
 * else `<dataDir>/observability.db` (the observer's own SQLite store, which the hub's trace viewer
 * reads). A settled call's spans are described once (call-spans.ts) and written as AIGNE rows to
 * that sink in batches, one export at a time — no OpenTelemetry span objects in between; when an
 * OTLP collector is configured, the same spans (same ids) also go through a tracer provider of the
 * hub's own to an OTLP/HTTP exporter. Spans are built once the call's response is done: nothing a
 * client waits for includes them.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AIGNEObserver } from '@aigne/observability-api';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { makeDatabaseFilePrivate } from '../../lib/private-file.js';
import { loadAigneInternals, openTraceStore, type SqlClient, type TraceDb } from './aigne-internals.js';
import { aigneRows, callSpans, emitOtelSpans, PresetIdGenerator } from './call-spans.js';
import type { CallTiming } from './call-timing.js';
import { createStoreWriter } from './store-writer.js';
import type { TraceRow } from './trace-row.js';
import { createBlockletTraceSink, createHttpTraceSink, createLocalTraceSink, type LocalStore, type TraceSink } from './trace-sink.js';

export type TracingMode = 'local' | 'remote' | 'blocklet';

export interface Tracing {
  readonly mode: TracingMode;
  readonly observer: AIGNEObserver;
  /** The observability server spans go to (remote mode). */
  readonly remoteUrl?: string;
  /** The span store the hub's viewer reads (local mode, and Blocklet Server without the Observability blocklet). */
  readonly localStore?: LocalStore;
  /** The Observability blocklet's page, when spans go there. */
  externalViewerUrl(): string | undefined;
  /** Builds and queues the spans of a settled call once its response is done. */
  record(timing: CallTiming): void;
  /** Exports everything queued so far. */
  flush(): Promise<void>;
  /** Deletes spans that started before `before` from the local store, in batches. */
  prune(before: Date, signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

export interface TracingOptions {
  config: Config;
  logger: Logger;
  /** This hub's component DID (tags spans sent to the Observability blocklet). */
  componentDid: string;
}

const PRUNE_SQL = 'DELETE FROM Trace WHERE id IN (SELECT id FROM Trace WHERE startTime < ? LIMIT ?)';
const PRUNE_BATCH = 1000;

/**
 * The store's migrations index `Trace.id` a second time (`idx_trace_id`), beside the primary key's
 * own unique index, which serves every lookup by id. Every span row paid for both, so the copy
 * goes.
 */
const DROP_DUPLICATE_INDEX_SQL = 'DROP INDEX IF EXISTS idx_trace_id';

async function dropDuplicateIndex(writer: SqlClient, logger: Logger): Promise<void> {
  try {
    await writer.execute({ sql: DROP_DUPLICATE_INDEX_SQL, args: [] });
  } catch (err) {
    logger.warn('the span store keeps its duplicate index on Trace.id', { err });
  }
}

type ExportFn = NonNullable<typeof AIGNEObserver.exportFn>;
type UpdateFn = NonNullable<typeof AIGNEObserver.updateFn>;

const dropSpans: ExportFn = async () => {};
const dropUpdate: UpdateFn = async () => {};

/**
 * Other AIGNEObserver instances in the process (the AIGNE framework makes one per `AIGNE`
 * instance) would otherwise write their spans, message contents included, to ~/.aigne. They get
 * functions that drop them; the hub's own trace of each call covers them.
 */
export function silenceOtherObservers(): void {
  AIGNEObserver.setExportFn(dropSpans);
  AIGNEObserver.setUpdateFn(dropUpdate);
}

/** Warns on the first failure and then at most once a minute, with the count in between. */
function throttledWarn(logger: Logger, msg: string) {
  let last = 0;
  let suppressed = 0;
  return (err: unknown) => {
    const now = Date.now();
    if (now - last < 60_000) {
      suppressed += 1;
      return;
    }
    logger.warn(msg, { err, suppressed });
    last = now;
    suppressed = 0;
  };
}

function toRow(span: Parameters<ExportFn>[0][number]): TraceRow {
  const row = span as unknown as TraceRow;
  const user = (row.attributes?.metadata as { userDid?: unknown } | undefined)?.userDid;
  return typeof user === 'string' ? { ...row, userId: user } : row;
}

/** Roots first, then spans by start time: the order viewers list children in. */
const byTreeOrder = (a: TraceRow, b: TraceRow) =>
  Number(Boolean(a.parentId)) - Number(Boolean(b.parentId)) || a.startTime - b.startTime || a.endTime - b.endTime;

const EXPORT_DELAY_MS = 500;
/** Rows per export to a server (one request body). */
const EXPORT_BATCH_ROWS = 500;
/**
 * Rows per statement into the local store. Each commit writes every page it touched again, the
 * last leaf of each of the table's indexes among them, so bigger statements cost less per row.
 * Exports to a server keep 500 per body.
 */
const LOCAL_EXPORT_BATCH_ROWS = 2_000;
const MAX_QUEUED_ROWS = 20_000;

export async function createTracing(options: TracingOptions): Promise<Tracing> {
  const { config, logger } = options;
  const storagePath = path.join(config.dataDir, 'observability.db');
  const storage = `file:${storagePath}`;
  makeDatabaseFilePrivate(storagePath);
  const internals = await loadAigneInternals().catch((err) => {
    logger.warn('the AIGNE span store could not be loaded; spans stay in the observer defaults', { err });
    return undefined;
  });

  let observer: AIGNEObserver | undefined;
  // The observer's exporter opens the store, except inside Blocklet Server, where the hub opens it.
  let storeDb: Promise<TraceDb> | undefined;
  const observerDb = () =>
    (storeDb ??= (async () => {
      const db = (await observer!.exporter?._db) as TraceDb | undefined;
      return db ?? openTraceStore(storage);
    })());
  const writer = createStoreWriter(storage);
  let writerReady: Promise<void> | undefined;
  const store: LocalStore | undefined = internals
    ? {
        db: observerDb,
        writer: async () => {
          await (writerReady ??= observerDb().then(() => dropDuplicateIndex(writer, logger)));
          return writer;
        },
        internals,
      }
    : undefined;
  const local = store ? createLocalTraceSink(store) : undefined;
  let mode: TracingMode = 'local';
  let sink: TraceSink | undefined = local;
  if (config.blocklet.enabled && local) {
    mode = 'blocklet';
    sink = await createBlockletTraceSink(options.componentDid, local);
  } else if (config.tracing.observabilityUrl) {
    mode = 'remote';
    sink = createHttpTraceSink(config.tracing.observabilityUrl);
  }

  const warnExport = throttledWarn(logger, 'exporting spans failed');
  const exportFn: ExportFn = async (spans) => {
    try {
      await sink!.export(spans.map(toRow).sort(byTreeOrder));
    } catch (err) {
      warnExport(err);
    }
  };
  const updateFn: UpdateFn = async (id, data) => {
    try {
      await sink!.update(id, data as Record<string, unknown>);
    } catch (err) {
      warnExport(err);
    }
  };

  // The observer's exporter takes the static functions when it is built (in serve()).
  if (sink) {
    AIGNEObserver.setExportFn(exportFn);
    AIGNEObserver.setUpdateFn(updateFn);
  } else {
    AIGNEObserver.exportFn = undefined;
    AIGNEObserver.updateFn = undefined;
  }
  observer = new AIGNEObserver({ storage });
  try {
    await observer.serve();
  } finally {
    silenceOtherObservers();
  }

  // Spans go to a collector only when one is configured; the AIGNE rows are written directly.
  const otlpIds = new PresetIdGenerator();
  const otlp = config.tracing.otlpTracesUrl
    ? new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': config.tracing.serviceName, 'service.version': config.version }),
        sampler: new AlwaysOnSampler(),
        idGenerator: otlpIds,
        spanProcessors: [
          new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracing.otlpTracesUrl, headers: { ...config.tracing.otlpHeaders }, timeoutMillis: 10_000 }), {
            scheduledDelayMillis: 500,
            maxQueueSize: 8192,
            maxExportBatchSize: 512,
            exportTimeoutMillis: 15_000,
          }),
        ],
      })
    : undefined;
  const tracer: Tracer | undefined = otlp?.getTracer('aigne-hub', config.version);
  const spanOptions = { semconv: Boolean(otlp) };
  const warnBuild = throttledWarn(logger, 'building spans failed');
  const warnDropped = throttledWarn(logger, 'spans dropped: the span store is behind');
  let closed = false;

  logger.info('tracing', { mode, otlp: Boolean(otlp), store: mode === 'remote' ? config.tracing.observabilityUrl : undefined });

  // Each call's AIGNE rows wait here (in the sink's own form when it has one) and go to the sink in
  // batches, one export at a time.
  type Part = { rows: number; data: Uint8Array | TraceRow[] };
  const encoder = sink?.encode && sink.exportEncoded ? { encode: sink.encode.bind(sink), exportEncoded: sink.exportEncoded.bind(sink) } : undefined;
  const batchRows = encoder ? LOCAL_EXPORT_BATCH_ROWS : EXPORT_BATCH_ROWS;
  let queued: Part[] = [];
  let queuedRows = 0;
  let exporting: Promise<void> | undefined;
  let exportTimer: NodeJS.Timeout | undefined;
  const exportLater = () => {
    exportTimer ??= setTimeout(() => void exportQueued(), EXPORT_DELAY_MS).unref();
  };
  /** Takes parts off the queue up to a batch's worth of rows (at least one part). */
  const takeBatch = (): Part[] => {
    let n = 0;
    let rows = 0;
    while (n < queued.length && (n === 0 || rows + queued[n]!.rows <= batchRows)) rows += queued[n++]!.rows;
    const batch = n === queued.length ? queued : queued.slice(0, n);
    queued = batch === queued ? [] : queued.slice(n);
    queuedRows -= rows;
    return batch;
  };
  const exportQueued = (): Promise<void> => {
    if (exportTimer) clearTimeout(exportTimer);
    exportTimer = undefined;
    exporting ??= (async () => {
      while (queued.length > 0 && sink) {
        const batch = takeBatch();
        try {
          if (encoder) await encoder.exportEncoded(batch.map((p) => p.data as Uint8Array));
          else await sink.export(batch.flatMap((p) => p.data as TraceRow[]).sort(byTreeOrder));
        } catch (err) {
          warnExport(err);
        }
      }
    })().finally(() => {
      exporting = undefined;
      if (queued.length > 0) exportLater();
    });
    return exporting;
  };
  const enqueue = (rows: TraceRow[]) => {
    if (queuedRows + rows.length > MAX_QUEUED_ROWS) return warnDropped(new Error(`${rows.length} spans`));
    // A call's rows come root first, then children by start time: the order viewers list them in.
    queued.push({ rows: rows.length, data: encoder ? encoder.encode(rows) : rows });
    queuedRows += rows.length;
    if (queuedRows >= batchRows) void exportQueued();
    else exportLater();
  };
  const build = (timing: CallTiming) => {
    try {
      const call = callSpans(timing, spanOptions);
      if (!call) return;
      if (sink) enqueue(aigneRows(call));
      if (tracer) emitOtelSpans(tracer, otlpIds, call);
    } catch (err) {
      warnBuild(err);
    }
  };

  const localStore = mode !== 'remote' ? store : undefined;
  let pending = 0;
  const flush = async () => {
    for (let i = 0; pending > 0 && i < 200; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setImmediate(resolve));
    await exporting;
    await exportQueued();
    await otlp?.forceFlush();
  };
  return {
    mode,
    observer,
    remoteUrl: mode === 'remote' ? config.tracing.observabilityUrl : undefined,
    localStore,
    externalViewerUrl: () => sink?.viewerUrl?.(),
    record(timing) {
      if (closed || !timing.record.traceId) return;
      if (timing.responseDone()) return build(timing);
      pending += 1;
      timing.afterResponse(() => {
        pending -= 1;
        build(timing);
      });
    },
    flush,
    async prune(before, signal) {
      if (!localStore || closed) return 0;
      const client = await localStore.writer();
      let total = 0;
      for (;;) {
        const r = await client.execute({ sql: PRUNE_SQL, args: [before.getTime(), PRUNE_BATCH] });
        total += r.rowsAffected;
        if (r.rowsAffected < PRUNE_BATCH || signal?.aborted || closed) return total;
        await sleep(200);
      }
    },
    async close() {
      if (closed) return;
      await flush().catch(() => {});
      closed = true;
      await otlp?.shutdown().catch((err) => logger.warn('closing the tracer failed', { err }));
      const sdk = observer!.sdk;
      await observer!.close();
      await sdk?.shutdown().catch(() => {});
      const stores = new Set([await storeDb?.catch(() => undefined), (await observer!.exporter?._db?.catch(() => undefined)) as TraceDb | undefined]);
      for (const db of stores) db?.$client.close();
      writer.close();
    },
  };
}
