/** The tables `bench:scale` prints (Markdown, as they go into docs/performance.md). */
import type { TableBytes } from './disk.js';
import type { FillSpec } from './fill.js';
import type { ExportRun } from './measure.js';

type Read = { ms: number; cpuMs: number; dbCpuMs?: number };
type Latency = { calls: number; failed: number; p50: number; p99: number; max: number; over50ms: number };

export interface DbReport {
  db: 'sqlite' | 'postgres';
  fill: { calls: number; buckets: number; fillMs: number };
  before?: { startMs: number; startCpuMs: number; reads: Record<string, Read>; export: ExportRun };
  after?: { startMs: number; startCpuMs: number; rollups: { ms: number; backfillMs?: number; readDuringMs?: number }; reads: Record<string, Read>; export: ExportRun };
  bytesFilled?: TableBytes;
  bytesRolled?: TableBytes;
  fileBytes?: number;
  retention?: { startMs: number; startCpuMs: number; deleted: number; ms: number; before: Latency; during: Latency };
  perCall?: Partial<Record<'traced' | 'untraced', { calls: number; modelCalls: number; usages: number; spans: number; emptyStartMs: number; emptyStartCpuMs: number }>>;
}

const n = (x: number) => Math.round(x).toLocaleString('en');
const ms = (x: number | undefined) => (x === undefined ? '—' : `${n(x)} ms`);
const mbytes = (x: number) => `${(x / 1e6).toFixed(1)} MB`;

function readsTable(r: DbReport, baseline?: string): string[] {
  const labels = Object.keys(r.after?.reads ?? r.before?.reads ?? {});
  const db = r.db === 'postgres';
  const read = (x?: Read) => (x ? `${n(x.ms)} ms (${n(x.cpuMs)}${x.dbCpuMs === undefined ? '' : ` + ${n(x.dbCpuMs)}`})` : '—');
  const lines = [`| read: time (hub CPU${db ? ' + PostgreSQL CPU' : ''}) | ${baseline ? `before (\`${baseline}\`) | ` : ''}now |`, `|---|${baseline ? '---:|' : ''}---:|`];
  for (const l of labels) lines.push(`| ${l} | ${baseline ? `${read(r.before?.reads[l])} | ` : ''}${read(r.after?.reads[l])} |`);
  const exp = (e?: ExportRun) => (e ? `${ms(e.firstByteMs)} / ${ms(e.totalMs)} (${n(e.cpuMs)}${e.dbCpuMs === undefined ? '' : ` + ${n(e.dbCpuMs)}`})` : '—');
  const mem = (e?: ExportRun) => (e ? `${mbytes(e.rssBefore)} → ${mbytes(e.rssPeak)}` : '—');
  const rows = r.after?.export ?? r.before?.export;
  lines.push(`| a day exported as CSV (${rows ? n(rows.lines - 1) : '?'} rows): first byte / all (hub CPU) | ${baseline ? `${exp(r.before?.export)} | ` : ''}${exp(r.after?.export)} |`);
  lines.push(`| hub memory during the export (before → peak) | ${baseline ? `${mem(r.before?.export)} | ` : ''}${mem(r.after?.export)} |`);
  const start = (x?: { startMs: number; startCpuMs: number }) => (x ? `${n(x.startMs)} ms (${n(x.startCpuMs)})` : '—');
  lines.push(`| hub start on this store: time (CPU) | ${baseline ? `${start(r.before)} | ` : ''}${start(r.after)} upgrading${r.retention ? `, ${start(r.retention)} again` : ''} |`);
  const e = r.perCall?.untraced;
  if (e) lines.push(`| hub start on an empty store | ${baseline ? '| ' : ''}${n(e.emptyStartMs)} ms (${n(e.emptyStartCpuMs)}) |`);
  return lines;
}

function bytesLines(r: DbReport, calls: number): string[] {
  const lines: string[] = [];
  const tables = ['model_calls', 'usages', 'usage_rollups'];
  const b = r.bytesRolled ?? {};
  const total = Object.values(b).reduce((x, y) => x + y, 0);
  lines.push(`Store after the roll-ups: ${mbytes(total)}${r.fileBytes ? ` (file ${mbytes(r.fileBytes)})` : ''}; per call: ${tables.map((t) => `${t} ${n((b[t] ?? 0) / calls)} B`).join(', ')}.`);
  const u = r.perCall?.untraced;
  const t = r.perCall?.traced;
  if (u && t) lines.push(`Calls through a hub on an empty store: ${n(u.modelCalls + u.usages)} B per call untraced (${n(u.modelCalls)} B row, ${n(u.usages)} B buckets); traced, ${n(t.modelCalls + t.usages)} B in the store and ${n(t.spans)} B of spans in observability.db.`);
  return lines;
}

export function formatReport(spec: FillSpec, reports: DbReport[], baseline?: string): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`#### ${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${n(r.fill.calls)} calls over ${spec.days} days (${spec.users} users, ${spec.models} models, ${Math.round(spec.failedShare * 100)} % failed), ${n(r.fill.buckets)} hourly buckets`, '');
    out.push(...readsTable(r, baseline), '');
    if (r.after) {
      const ru = r.after.rollups;
      out.push(`After the upgrade the roll-up job back-filled the buckets${ru.backfillMs ? ` in ${n(ru.backfillMs / 1000)} s` : ''} and caught up in ${n(ru.ms / 1000)} s${ru.readDuringMs !== undefined ? ` (meanwhile \`groupBy=model\` over 90 days took ${ms(ru.readDuringMs)})` : ''}.`);
    }
    if (r.retention) {
      const x = r.retention;
      const lat = (l: Latency) => `${n(l.calls)} calls, p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms, ${l.over50ms} over 50 ms, ${l.failed} failed`;
      out.push(`Retention deleted ${n(x.deleted)} call rows in ${n(x.ms / 1000)} s while calls came at a steady rate, credit billing on: before it ${lat(x.before)}; during it ${lat(x.during)}.`);
    }
    out.push(...bytesLines(r, r.fill.calls), '');
  }
  return out.join('\n');
}
