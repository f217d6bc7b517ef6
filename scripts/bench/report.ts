/** Medians over the rounds, the side-by-side table with its ratios, and the targets. */
import type { LoadResult } from './load-worker.js';
import { fmt, median, percentile, ratio } from './stats.js';
import type { StreamsResult } from './streams-worker.js';

/** `base` is the hub built from another commit (--baseline), for before/after figures in one run. */
export type TargetId = 'direct' | 'bare' | 'hub' | 'ref' | 'limited' | 'base' | 'portkey';
/** `ref`: the same hub at /api/v1/chat/completions (same wire), beside the API under test (--api messages|responses). */
export const TARGET_LABELS: Record<TargetId, string> = { direct: 'upstream direct', bare: 'bare proxy', hub: 'AIGNE Hub', ref: 'hub chat/completions', limited: 'hub, limited key', base: 'hub (baseline)', portkey: 'Portkey' };

export interface LatencyStats {
  n: number;
  p50: number;
  p99: number;
}

export interface LoadRun extends LoadResult {
  /** CPU share (1.0 = one core) of the target, the upstream and the load client during the run. */
  cpu: { target: number; upstream: number; client: number };
  /** CPU time the target spent per answered request (µs): steadier than req/s on a busy machine. */
  targetCpuUsPerRequest: number;
  /** The same, by thread name (main, libuv workers, V8 workers …). */
  targetThreadsUsPerRequest: Record<string, number>;
  /** CPU time the target's database server spent per answered request (µs), when it is a process of its own. */
  databaseCpuUsPerRequest?: number;
}

export interface SlowStreamsRun extends Omit<StreamsResult, 'callIds'> {
  peakRssMB: number;
  startRssMB: number;
  cpu: { target: number; upstream: number; client: number };
}

export interface RoundResult {
  round: number;
  /** A: sequential, non-streamed, whole-request latency. */
  sequential: Partial<Record<TargetId, LatencyStats>>;
  /** C (ttfb part): sequential, streamed, time to first body byte. */
  sequentialTtfb: Partial<Record<TargetId, LatencyStats>>;
  /** B: 50 in flight, non-streamed. */
  load: Partial<Record<TargetId, LoadRun>>;
  /** C: 50 in flight, streamed. */
  streamLoad: Partial<Record<TargetId, LoadRun>>;
  /** D: many concurrent slow streams. */
  slowStreams: Partial<Record<TargetId, SlowStreamsRun>>;
}

export function latencyStats(samples: number[]): LatencyStats {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

type Row = { label: string; values: Partial<Record<TargetId, number>>; digits: number; ratios: boolean };

export interface Summary {
  rows: Row[];
  figures: Record<string, Partial<Record<TargetId, number>>>;
}

/** Medians over the rounds of every figure (peak RSS: the highest round; errors: the sum). */
export function summarize(rounds: RoundResult[], targets: TargetId[]): Summary {
  const per = <T>(pick: (r: RoundResult) => T | undefined) => rounds.map(pick).filter((v): v is T => v !== undefined);
  const med = (pick: (r: RoundResult, t: TargetId) => number | undefined) =>
    Object.fromEntries(targets.map((t) => [t, median(per((r) => pick(r, t)))])) as Partial<Record<TargetId, number>>;
  const added = (key: 'p50' | 'p99', src: 'sequential' | 'sequentialTtfb') =>
    med((r, t) => {
      const base = r[src].direct?.[key];
      const v = r[src][t]?.[key];
      return v === undefined || base === undefined || t === 'direct' ? undefined : v - base;
    });
  const figures: Summary['figures'] = {
    seqP50: med((r, t) => r.sequential[t]?.p50),
    seqP99: med((r, t) => r.sequential[t]?.p99),
    addedP50: added('p50', 'sequential'),
    addedP99: added('p99', 'sequential'),
    rps: med((r, t) => r.load[t]?.rps),
    loadP50: med((r, t) => r.load[t]?.latencyMs.p50),
    loadP99: med((r, t) => r.load[t]?.latencyMs.p99),
    cpuPerRequest: med((r, t) => r.load[t]?.targetCpuUsPerRequest),
    streamRps: med((r, t) => r.streamLoad[t]?.rps),
    streamCpuPerRequest: med((r, t) => r.streamLoad[t]?.targetCpuUsPerRequest),
    streamP50: med((r, t) => r.streamLoad[t]?.latencyMs.p50),
    ttfbP50: med((r, t) => r.sequentialTtfb[t]?.p50),
    addedTtfbP50: added('p50', 'sequentialTtfb'),
    addedTtfbP99: added('p99', 'sequentialTtfb'),
    slowPeakRss: Object.fromEntries(
      targets.map((t) => {
        const peaks = per((r) => r.slowStreams[t]?.peakRssMB);
        return [t, peaks.length ? Math.max(...peaks) : Number.NaN];
      }),
    ),
    slowErrors: Object.fromEntries(
      targets.map((t) => {
        const runs = per((r) => r.slowStreams[t]);
        return [t, runs.length ? runs.reduce((s, x) => s + x.errors + (x.count - x.ok - x.errors), 0) : Number.NaN];
      }),
    ),
    loadTargetCpu: med((r, t) => r.load[t]?.cpu.target),
    loadUpstreamCpu: med((r, t) => r.load[t]?.cpu.upstream),
    loadClientCpu: med((r, t) => r.load[t]?.cpu.client),
  };
  const f = figures;
  const rows: Row[] = [
    { label: 'A  latency p50, 1 in flight (ms)', values: f.seqP50!, digits: 2, ratios: true },
    { label: 'A  added p50 over direct (ms)', values: f.addedP50!, digits: 2, ratios: true },
    { label: 'A  added p99 over direct (ms)', values: f.addedP99!, digits: 2, ratios: true },
    { label: 'B  req/s, 50 in flight', values: f.rps!, digits: 0, ratios: true },
    { label: 'B  latency p50 (ms)', values: f.loadP50!, digits: 1, ratios: true },
    { label: 'B  latency p99 (ms)', values: f.loadP99!, digits: 1, ratios: true },
    { label: 'B  gateway CPU per request (µs)', values: f.cpuPerRequest!, digits: 0, ratios: true },
    { label: 'C  req/s, 50 in flight, streamed', values: f.streamRps!, digits: 0, ratios: true },
    { label: 'C  gateway CPU per streamed request (µs)', values: f.streamCpuPerRequest!, digits: 0, ratios: true },
    { label: 'C  latency p50, streamed (ms)', values: f.streamP50!, digits: 1, ratios: true },
    { label: 'C  ttfb p50, 1 in flight (ms)', values: f.ttfbP50!, digits: 2, ratios: true },
    { label: 'C  added ttfb p50 over direct (ms)', values: f.addedTtfbP50!, digits: 2, ratios: true },
    { label: 'D  peak RSS, slow streams (MB)', values: f.slowPeakRss!, digits: 0, ratios: true },
    { label: 'D  failed streams', values: f.slowErrors!, digits: 0, ratios: false },
  ];
  return { rows, figures };
}

export function formatTable(summary: Summary, targets: TargetId[], labels: Partial<Record<TargetId, string>> = {}): string {
  const versus: [TargetId, string][] = [['direct', 'hub/direct'], ['bare', 'hub/bare'], ['portkey', 'hub/Portkey']];
  if (targets.includes('base')) versus.push(['base', 'hub/baseline']);
  if (targets.includes('ref')) versus.push(['ref', 'hub/chat completions']);
  // --limited: the limited key against the unlimited one, the other way round from the columns above.
  const limited = targets.includes('limited');
  const head = ['', ...targets.map((t) => labels[t] ?? TARGET_LABELS[t]), ...versus.map(([, h]) => h), ...(limited ? ['limited key/hub'] : [])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of summary.rows) {
    const cells = targets.map((t) => fmt(row.values[t], row.digits));
    const hub = row.values.hub;
    const r = (t: TargetId) => (row.ratios && targets.includes(t) ? fmt(ratio(hub, row.values[t]), 2) : '–');
    const l = limited ? [row.ratios ? fmt(ratio(row.values.limited, hub), 2) : '–'] : [];
    lines.push(`| ${[row.label, ...cells, ...versus.map(([t]) => r(t)), ...l].join(' | ')} |`);
  }
  return lines.join('\n');
}

export interface TargetCheck {
  name: string;
  ok: boolean | null;
  detail: string;
}

/** The targets for the hub (auth, billing and call records on). */
export function checkTargets(summary: Summary, streamsCount: number): TargetCheck[] {
  const f = summary.figures;
  const hub = (k: string) => f[k]?.hub;
  const out: TargetCheck[] = [];
  const a = ratio(hub('addedP50'), f.addedP50?.bare);
  out.push({
    name: 'A: added p50 ≤ 1.5 × the bare proxy’s',
    ok: Number.isFinite(a) ? a <= 1.5 : null,
    detail: `hub +${fmt(hub('addedP50'), 2)} ms, bare proxy +${fmt(f.addedP50?.bare, 2)} ms (${fmt(a, 2)}×)`,
  });
  const vsPortkey = ratio(hub('rps'), f.rps?.portkey);
  const vsBare = ratio(hub('rps'), f.rps?.bare);
  out.push({
    name: 'B: req/s ≥ 3 × Portkey’s and ≥ 0.6 × the bare proxy’s',
    ok: Number.isFinite(vsPortkey) && Number.isFinite(vsBare) ? vsPortkey >= 3 && vsBare >= 0.6 : Number.isFinite(vsBare) ? vsBare >= 0.6 : null,
    detail: `hub ${fmt(hub('rps'), 0)}/s = ${fmt(vsPortkey, 2)}× Portkey, ${fmt(vsBare, 2)}× bare proxy`,
  });
  out.push({
    name: 'C: adds ≤ 2 ms to ttfb at p50',
    ok: Number.isFinite(hub('addedTtfbP50') ?? Number.NaN) ? hub('addedTtfbP50')! <= 2 : null,
    detail: `hub +${fmt(hub('addedTtfbP50'), 2)} ms over the upstream (bare proxy +${fmt(f.addedTtfbP50?.bare, 2)} ms)`,
  });
  const rss = hub('slowPeakRss');
  const errors = hub('slowErrors');
  out.push({
    name: `D: ${streamsCount} streams, zero errors, ≤ 400 MB RSS`,
    ok: rss !== undefined && errors !== undefined && Number.isFinite(rss) ? errors === 0 && rss <= 400 : null,
    detail: `hub peak RSS ${fmt(rss, 0)} MB, ${fmt(errors, 0)} failed streams`,
  });
  return out;
}
