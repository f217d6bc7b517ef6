/**
 * Where AIGNE-format span rows go: an AIGNE observability server over HTTP, the Observability
 * blocklet through a component call, or the local SQLite file under the data directory.
 */
import type { AigneInternals, SqlClient, TraceDb } from './aigne-internals.js';
import type { TraceRow } from './trace-row.js';

export interface TraceSink {
  readonly kind: 'local' | 'remote' | 'blocklet';
  export(rows: TraceRow[]): Promise<void>;
  /**
   * Sinks that write rows in a form of their own (the local store: UTF-8 JSON) take them in that
   * form as soon as they are built, so rows waiting for their batch hold a few bytes outside the
   * JavaScript heap per call instead of a tree of objects or a string each; `exportEncoded` then
   * writes such parts, in their order.
   */
  encode?(rows: TraceRow[]): Uint8Array;
  exportEncoded?(parts: Uint8Array[]): Promise<void>;
  update(id: string, data: Record<string, unknown>): Promise<void>;
  /** Where a viewer of these spans lives, when it is not the hub's own. */
  viewerUrl?(): string | undefined;
}

/** Observability blocklet DID, and this hub's component DID (spans are tagged with it). */
export const OBSERVABILITY_DID = 'z2qa2GCqPJkufzqF98D8o7PWHrRRSHpYkNhEh';

const TIMEOUT_MS = 10_000;

export function createHttpTraceSink(baseUrl: string): TraceSink {
  const send = async (method: 'POST' | 'PATCH', p: string, body: unknown) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`the observability server answered ${res.status} to ${method} ${p}`);
  };
  return {
    kind: 'remote',
    export: (rows) => send('POST', '/api/trace/tree', rows),
    update: (id, data) => send('PATCH', `/api/trace/tree/${encodeURIComponent(id)}`, data),
  };
}

/** Tokens of a span, so the viewer's token column is filled (the server computes it on updates only). */
function tokensOf(row: TraceRow): number {
  type Usage = { inputTokens?: number; outputTokens?: number } | undefined;
  const usage = ((row.attributes.output as { usage?: Usage } | undefined)?.usage ?? (row.attributes.metadata as { usage?: Usage } | undefined)?.usage) as Usage;
  return (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
}

const COLUMNS = ['id', 'rootId', 'parentId', 'name', 'startTime', 'endTime', 'attributes', 'status', 'userId', 'componentId', 'token'] as const;
/** Columns that hold JSON text: SQLite writes them from the nested value (`->`), the others from the scalar (`->>`). */
const JSON_COLUMNS = new Set<string>(['attributes', 'status']);
/**
 * The rows go in as one JSON array of arrays (values in COLUMNS order, attributes and status as
 * nested objects), taken apart by SQLite itself: one argument to bind instead of eleven per row, each
 * row's values read by position, and `jsonb_each`, so that each row is handed over in SQLite's
 * binary form and read without being parsed again per column (half the cost of `json_each`).
 * `value->6` gives the nested attributes back as JSON text: they are serialized once, not as a string
 * inside the row's JSON (which would escape every quote again). The
 * argument is bound as bytes (a BLOB, read back as the UTF-8 text it is): a batch's JSON is gathered
 * in buffers outside the JavaScript heap, never as one large string.
 */
const UPSERT_SQL =
  `INSERT INTO Trace (${COLUMNS.join(', ')}) SELECT ${COLUMNS.map((c, i) => `value${JSON_COLUMNS.has(c) ? '->' : '->>'}${i}`).join(', ')} ` +
  'FROM jsonb_each(CAST(? AS TEXT)) WHERE true ' +
  'ON CONFLICT(id) DO UPDATE SET name = excluded.name, startTime = excluded.startTime, endTime = excluded.endTime, ' +
  'status = excluded.status, attributes = excluded.attributes, token = excluded.token';

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

export interface LocalStore {
  /** The migrated store (reads, updates). */
  db(): Promise<TraceDb>;
  /** Where span rows are written (a connection of its own to the same file, on the thread pool). */
  writer(): Promise<SqlClient>;
  internals: AigneInternals;
}

/**
 * The local store: rows upserted into the `Trace` table (the layout the package's own migrations
 * create), a whole batch per statement: a statement per span would cost the ORM's work and a
 * commit each.
 */
export function createLocalTraceSink(store: LocalStore): TraceSink {
  /** The rows as comma-separated JSON arrays of their values in COLUMNS order, in UTF-8. */
  const encode = (rows: TraceRow[]): Uint8Array => {
    const json = Buffer.from(
      JSON.stringify(
        rows.map((r) => [r.id, r.rootId, r.parentId ?? null, r.name, r.startTime, r.endTime, r.attributes ?? {}, r.status ?? {}, r.userId ?? null, r.componentId ?? null, tokensOf(r)]),
      ),
    );
    return json.subarray(1, json.length - 1);
  };
  const exportEncoded = async (parts: Uint8Array[]) => {
    const list: Uint8Array[] = [OPEN];
    for (const part of parts) {
      if (part.length === 0) continue;
      if (list.length > 1) list.push(COMMA);
      list.push(part);
    }
    if (list.length === 1) return;
    list.push(CLOSE);
    const client = await store.writer();
    await client.execute({ sql: UPSERT_SQL, args: [Buffer.concat(list)] });
  };
  return {
    kind: 'local',
    export: (rows) => exportEncoded([encode(rows)]),
    encode,
    exportEncoded,
    async update(id, data) {
      await store.internals.updateTrace(await store.db(), id, data);
    },
  };
}

interface ComponentApi {
  call(options: { name: string; method: 'POST' | 'PATCH'; path: string; data: unknown; timeout?: number }): Promise<unknown>;
  getComponentMountPoint(did: string): string;
}

/**
 * Inside Blocklet Server: the Observability blocklet when it is installed, else `fallback`
 * (checked per batch, so installing it later takes effect without a restart).
 */
export async function createBlockletTraceSink(hubDid: string, fallback: TraceSink, api?: ComponentApi): Promise<TraceSink> {
  const component = api ?? ((await import('@blocklet/sdk/lib/component/index.js')) as unknown as ComponentApi);
  const installed = () => Boolean(component.getComponentMountPoint(OBSERVABILITY_DID));
  return {
    kind: 'blocklet',
    async export(rows) {
      if (!installed()) return fallback.export(rows);
      await component.call({
        name: OBSERVABILITY_DID,
        method: 'POST',
        path: '/api/trace/tree',
        data: rows.map((r) => ({ ...r, componentId: hubDid })),
        timeout: TIMEOUT_MS,
      });
    },
    async update(id, data) {
      if (!installed()) return fallback.update(id, data);
      await component.call({ name: OBSERVABILITY_DID, method: 'PATCH', path: `/api/trace/tree/${encodeURIComponent(id)}`, data, timeout: TIMEOUT_MS });
    },
    viewerUrl: () => component.getComponentMountPoint(OBSERVABILITY_DID) || undefined,
  };
}
