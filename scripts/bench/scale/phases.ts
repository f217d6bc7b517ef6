/**
 * What `bench:scale` measures on one running hub: the dashboard's reads, a day's CSV export, the
 * wait for the usage roll-ups after an upgrade, calls while retention deletes a month, and the
 * bytes calls take with and without traces.
 */
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../../../api/store/sequelize.js';
import { fileBytes, tableBytes, type TableBytes } from './disk.js';
import { logged, provision, runHub, type HubRun } from './hub-run.js';
import { callLoad, latencySummary, timeExport, timeGet, type ExportRun } from './measure.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const CALL_MODEL = 'gpt-4o-mini';

export interface ReadSpec {
  label: string;
  path: string;
}

/** The dashboard's reads over the filled store (`now` is its end). */
export function dashboardReads(now: number, user: string, model: string): ReadSpec[] {
  const range = (days: number) => `from=${now - days * DAY}&to=${now}`;
  return [
    { label: 'stats groupBy=day, 30 days', path: `/api/usage/stats?groupBy=day&${range(30)}` },
    { label: 'stats groupBy=model, 90 days', path: `/api/usage/stats?groupBy=model&${range(90)}` },
    { label: 'stats groupBy=user, 90 days', path: `/api/usage/stats?groupBy=user&${range(90)}` },
    { label: 'stats groupBy=provider, 90 days', path: `/api/usage/stats?groupBy=provider&${range(90)}` },
    { label: 'stats groupBy=app, 90 days', path: `/api/usage/stats?groupBy=app&${range(90)}` },
    { label: 'stats groupBy=day, 90 days', path: `/api/usage/stats?groupBy=day&${range(90)}` },
    { label: 'stats of one user, groupBy=model, 90 days', path: `/api/usage/stats?groupBy=model&userDid=${user}&${range(90)}` },
    { label: 'stats of one user, groupBy=day, 30 days', path: `/api/usage/stats?groupBy=day&userDid=${user}&${range(30)}` },
    { label: 'call log, first page', path: '/api/model-calls?limit=50' },
    {
      label: 'call log: one model, failed, one user, 60 days back',
      path: `/api/model-calls?limit=50&model=${encodeURIComponent(model)}&status=failed&userDid=${user}&from=${now - 60 * DAY}`,
    },
  ];
}

export async function timeReads(hub: HubRun, reads: ReadSpec[], rounds: number, log: (l: string) => void): Promise<Record<string, { ms: number; cpuMs: number; dbCpuMs?: number }>> {
  const out: Record<string, { ms: number; cpuMs: number; dbCpuMs?: number }> = {};
  for (const r of reads) {
    const t = await timeGet(hub.url + r.path, hub.admin, rounds, hub.proc.pid, hub.dbCpuMs);
    if (t.status !== 200) throw new Error(`${r.label}: status ${t.status}`);
    const dbCpuMs = t.dbCpuMs === undefined ? undefined : Math.round(t.dbCpuMs);
    out[r.label] = { ms: Math.round(t.median), cpuMs: Math.round(t.cpuMs ?? 0), dbCpuMs };
    const db = dbCpuMs === undefined ? '' : `, PostgreSQL CPU ${dbCpuMs} ms`;
    log(`  ${r.label}: ${t.ms.map((m) => Math.round(m)).join(' / ')} ms (median ${Math.round(t.median)}; hub CPU ${Math.round(t.cpuMs ?? 0)} ms a read${db}), ${t.bytes} bytes`);
  }
  return out;
}

export async function timeDayExport(hub: HubRun, now: number, log: (l: string) => void): Promise<ExportRun> {
  const day = Math.floor(now / DAY) * DAY - 2 * DAY;
  const run = await timeExport(`${hub.url}/api/model-calls/export?from=${day}&to=${day + DAY}`, hub.admin, hub.proc.pid, hub.dbCpuMs);
  const db = run.dbCpuMs === undefined ? '' : `, PostgreSQL CPU ${Math.round(run.dbCpuMs)} ms`;
  log(`  export of one day: ${run.lines - 1} rows, ${(run.bytes / 1e6).toFixed(1)} MB, first byte ${Math.round(run.firstByteMs)} ms, all ${Math.round(run.totalMs)} ms (hub CPU ${Math.round(run.cpuMs)} ms${db}), hub RSS ${Math.round(run.rssBefore / 1e6)} → peak ${Math.round(run.rssPeak / 1e6)} MB`);
  return run;
}

/** Waits until the roll-up job has back-filled and rolled up every hour it may; returns how long it took. */
export async function waitForRollups(store: { databaseUrl?: string; sqlitePath: string }, hub: HubRun, duringRead: ReadSpec, log: (l: string) => void) {
  const db = openDatabase({ sqlitePath: store.sqlitePath, databaseUrl: store.databaseUrl });
  const started = performance.now();
  let readDuring: number | undefined;
  try {
    for (;;) {
      const [s] = await db.query<{ rolledUntil: string; backfillUntil: string | null }>('SELECT "rolledUntil", "backfillUntil" FROM usage_rollup_state', { type: QueryTypes.SELECT });
      const [stale] = await db.query<{ n: number }>('SELECT COUNT(*) AS "n" FROM usage_stale_hours WHERE "periodStart" < :at', {
        replacements: { at: new Date(s!.rolledUntil) },
        type: QueryTypes.SELECT,
      });
      if (!s!.backfillUntil && new Date(s!.rolledUntil).getTime() + HOUR + 5 * 60_000 > Date.now() && Number(stale!.n) === 0) break;
      if (readDuring === undefined && performance.now() - started > 5_000) {
        readDuring = Math.round((await timeGet(hub.url + duringRead.path, hub.admin, 1)).median);
        log(`  while the job catches up: ${duringRead.label} took ${readDuring} ms`);
      }
      if (performance.now() - started > 3 * 3_600_000) throw new Error('the usage roll-ups did not catch up within 3 hours');
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await db.close();
  }
  const backfill = logged(hub, 'usage back-fill done');
  return { ms: Math.round(performance.now() - started), backfillMs: backfill?.ms as number | undefined, readDuringMs: readDuring };
}

export async function storeBytes(store: { databaseUrl?: string; sqlitePath: string }): Promise<TableBytes> {
  const db = openDatabase({ sqlitePath: store.sqlitePath, databaseUrl: store.databaseUrl });
  try {
    return await tableBytes(db);
  } finally {
    await db.close();
  }
}

/**
 * A restart with MODEL_CALL_RETENTION_DAYS set so that a month of call rows is past it, and credit
 * billing on (each call reserves credits in a write transaction, so it would wait behind a long
 * delete): calls at a steady rate from the start, whose times before the pass (it starts a minute
 * after the start) and during it are compared.
 */
export async function retentionUnderLoad(o: {
  root: string;
  dataDir: string;
  databaseUrl?: string;
  logFile: string;
  upstreamUrl: string;
  keepDays: number;
  perSecond: number;
  log: (l: string) => void;
}) {
  const hub = await runHub({ root: o.root, dataDir: o.dataDir, databaseUrl: o.databaseUrl, logFile: o.logFile, env: { MODEL_CALL_RETENTION_DAYS: String(o.keepDays), CREDIT_BASED_BILLING_ENABLED: 'true' } });
  o.log(`  restarted in ${Math.round(hub.startMs)} ms with MODEL_CALL_RETENTION_DAYS=${o.keepDays} and credit billing on`);
  try {
    const member = await provision(hub, o.upstreamUrl, CALL_MODEL, '1000000');
    const load = callLoad(hub.url, member, `openai/${CALL_MODEL}`, o.perSecond);
    // Calls of the first seconds warm the process up; they are not compared.
    const warm = Date.now() + 15_000;
    const deadline = Date.now() + 3 * 3_600_000;
    let started: number | undefined;
    let done: Record<string, unknown> | undefined;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      started ??= logged(hub, 'retention pass started') ? Date.now() : undefined;
      done = logged(hub, 'retention pass done');
    }
    const ended = Date.now();
    await load.stop();
    if (!done || !started) throw new Error(`retention did not finish; see ${o.logFile}`);
    const before = load.samples.filter((s) => s.at >= warm && s.at < started! - 1000);
    const during = load.samples.filter((s) => s.at >= started! && s.at <= ended);
    const result = { deleted: done.modelCalls as number, longestBatchMs: done.longestBatchMs as number | undefined, ms: ended - started, before: latencySummary(before), during: latencySummary(during) };
    o.log(`  retention deleted ${result.deleted} call rows in ${Math.round(result.ms / 1000)} s (a delete held the write queue ${result.longestBatchMs ?? '?'} ms at most); calls before it ${JSON.stringify(result.before)}, during it ${JSON.stringify(result.during)}`);
    return { startMs: Math.round(hub.startMs), startCpuMs: Math.round(hub.startCpuMs), ...result };
  } finally {
    await hub.stop();
  }
}

/** Calls through a hub on an empty store, traced or not; the bytes each one added to the store and the span store. */
export async function bytesPerCall(o: { root: string; workDir: string; databaseUrl?: string; upstreamUrl: string; calls: number; tracing: boolean; log: (l: string) => void }) {
  const dataDir = path.join(o.workDir, `bytes-${o.tracing ? 'traced' : 'untraced'}`);
  const store = { databaseUrl: o.databaseUrl, sqlitePath: path.join(dataDir, 'aikit.db') };
  const hub = await runHub({ root: o.root, dataDir, databaseUrl: o.databaseUrl, logFile: path.join(o.workDir, `hub-bytes-${o.tracing}.log`), env: { TRACING_ENABLED: String(o.tracing) } });
  let member: Record<string, string>;
  try {
    member = await provision(hub, o.upstreamUrl, CALL_MODEL);
  } catch (err) {
    await hub.stop();
    throw err;
  }
  await hub.stop();
  const before = await storeBytes(store);
  const spansFile = path.join(dataDir, 'observability.db');
  const spansBefore = fileBytes(spansFile);
  const again = await runHub({ root: o.root, dataDir, databaseUrl: o.databaseUrl, logFile: path.join(o.workDir, `hub-bytes-${o.tracing}-2.log`), env: { TRACING_ENABLED: String(o.tracing) } });
  try {
    const load = callLoad(again.url, member, `openai/${CALL_MODEL}`, 200);
    while (load.samples.length < o.calls) await new Promise((r) => setTimeout(r, 200));
    await load.stop();
  } finally {
    await again.stop();
  }
  const after = await storeBytes(store);
  const calls = Number((await countCalls(store)) ?? 0);
  const spansAfter = fileBytes(spansFile);
  const per = (t: string) => Math.round(((after[t] ?? 0) - (before[t] ?? 0)) / calls);
  const result = { calls, modelCalls: per('model_calls'), usages: per('usages'), spans: Math.round((spansAfter - spansBefore) / calls), emptyStartMs: Math.round(again.startMs), emptyStartCpuMs: Math.round(again.startCpuMs) };
  o.log(`  ${calls} calls ${o.tracing ? 'traced' : 'not traced'}: ${JSON.stringify(result)} bytes per call`);
  return result;
}

async function countCalls(store: { databaseUrl?: string; sqlitePath: string }) {
  const db = openDatabase({ sqlitePath: store.sqlitePath, databaseUrl: store.databaseUrl });
  try {
    return (await db.query<{ n: number }>('SELECT COUNT(*) AS "n" FROM model_calls', { type: QueryTypes.SELECT }))[0]!.n;
  } finally {
    await db.close();
  }
}
