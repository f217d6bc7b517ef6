/** One round of the benchmark: every phase asked for, each target in turn, in the round's order. */
import type { Bodies } from './bodies.js';
import { jsonRequest } from './http.js';
import type { LoadResult, LoadSpec } from './load-worker.js';
import type { Settings } from './options.js';
import { cpuMs, threadCpuMs, withCpuShares, withPeakRss } from './procs.js';
import { latencyStats, TARGET_LABELS, type LoadRun, type RoundResult, type TargetId } from './report.js';
import { runSequential, type SeqSamples } from './sequential.js';
import { rotate } from './stats.js';
import type { StreamsResult, StreamsSpec } from './streams-worker.js';
import type { HubTally } from './verify.js';
import { runWorker, type Cpus } from './workers.js';

export interface Target {
  id: TargetId;
  url: string;
  headers: Record<string, string>;
  pid: number;
  streams: boolean;
  bodies: Bodies;
  /** CPU time (ms) of the target's database server, when it is a process of its own. */
  databaseCpuMs?: () => number;
}

/** The targets that are a hub (this build's keys and APIs, or the baseline's). */
export const HUB_TARGETS: ReadonlySet<TargetId> = new Set<TargetId>(['hub', 'ref', 'limited', 'base']);

export interface RoundContext {
  targets: Target[];
  settings: Settings;
  phases: Set<string>;
  /** What the hub was sent and answered, for the check of its records. */
  tally: HubTally;
  upstream: { url: string; pid: number };
  cpus: Cpus;
  log: (line: string) => void;
}

export type LoadKind = 'json' | 'stream';

/** Counts what the hub under test was sent and answered. */
function countHub(ctx: RoundContext, t: Target, sent: number, ok: number, callIds: string[] = []): void {
  // The hub's calls: the API under test's and, with --api messages|responses, its chat completions'.
  if (t.id !== 'hub' && t.id !== 'ref' && t.id !== 'limited') return;
  ctx.tally.sent += sent;
  ctx.tally.ok += ok;
  ctx.tally.callIds.push(...callIds);
}

/** B and C: `connections` in flight for `durationSec` (autocannon in its own process), with the target's CPU per request. */
export async function runLoad(ctx: RoundContext, t: Target, kind: LoadKind, durationSec: number): Promise<LoadRun> {
  const spec: LoadSpec = { url: t.url, headers: t.headers, body: t.bodies[kind], connections: ctx.settings.connections, durationSec };
  const clientCpus = t.id === 'direct' ? ctx.cpus.gateway : ctx.cpus.load;
  const threads0 = threadCpuMs(t.pid);
  const database0 = t.databaseCpuMs?.();
  const { value, cpu } = await withCpuShares({ target: t.pid, upstream: ctx.upstream.pid }, () => runWorker<LoadResult>('load-worker.ts', spec, clientCpus));
  const threads1 = threadCpuMs(t.pid);
  const database1 = t.databaseCpuMs?.();
  const perRequest = (ms: number) => (value.completed ? Math.round((ms * 1000) / value.completed) : Number.NaN);
  countHub(ctx, t, value.sent, value.ok);
  const wallCpuMs = cpu.target! * value.durationSec * 1000;
  return {
    ...value,
    cpu: { target: cpu.target!, upstream: t.id === 'direct' ? cpu.target! : cpu.upstream!, client: value.clientCpu },
    targetCpuUsPerRequest: perRequest(wallCpuMs),
    ...(database0 !== undefined && database1 !== undefined ? { databaseCpuUsPerRequest: perRequest(database1 - database0) } : {}),
    targetThreadsUsPerRequest: Object.fromEntries(
      Object.entries(threads1).map(([name, ms]) => [name, value.completed ? Math.round(((ms - (threads0[name] ?? 0)) * 1000) / value.completed) : 0]),
    ),
  };
}

const loadLine = (phase: string, t: Target, r: LoadRun) =>
  `  ${phase}  ${TARGET_LABELS[t.id].padEnd(16)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  cpu target ${r.cpu.target} (${r.targetCpuUsPerRequest} µs/req) upstream ${r.cpu.upstream} client ${r.cpu.client}${r.databaseCpuUsPerRequest !== undefined ? ` database ${r.databaseCpuUsPerRequest} µs/req` : ''}`;

/** A and C's time to first byte: one request in flight, the targets taking turns. */
async function sequential(ctx: RoundContext, phase: 'A' | 'C', targets: Target[], kind: LoadKind): Promise<Record<string, SeqSamples>> {
  const samples = await runSequential(targets, (t) => t.bodies[kind], ctx.settings.sequentialRequests);
  for (const t of targets) {
    const s = samples[t.id]!;
    if (s.errors) ctx.log(`  ${phase} ${TARGET_LABELS[t.id]}: ${s.errors} errors (${s.errorSamples.join('; ')})`);
    countHub(ctx, t, s.ok + s.errors, s.ok, s.callIds);
  }
  return samples;
}

/** D: many slow streams at once against each gateway; its peak RSS and the streams that failed. */
async function slowStreams(ctx: RoundContext, order: Target[], result: RoundResult): Promise<void> {
  const { settings, upstream } = ctx;
  await jsonRequest('POST', `${upstream.url}/__fake/defaults`, { chunkDelayMs: settings.slowChunkDelayMs, chunks: settings.slowChunks });
  try {
    for (const t of order.filter((x) => x.streams && x.id !== 'direct' && x.id !== 'ref' && x.id !== 'limited')) {
      const spec: StreamsSpec = { url: t.url, headers: t.headers, body: t.bodies.stream, streamEnd: t.bodies.streamEnd, count: settings.slowStreams, timeoutMs: 60_000 };
      const cpu0 = { target: cpuMs(t.pid), upstream: cpuMs(upstream.pid) };
      const t0 = performance.now();
      const { value, peakRss, startRss } = await withPeakRss(t.pid, () => runWorker<StreamsResult>('streams-worker.ts', spec, ctx.cpus.load));
      const wall = performance.now() - t0;
      const share = (pid: number, before: number) => Math.round(((cpuMs(pid) - before) / wall) * 100) / 100;
      const { callIds, ...rest } = value;
      result.slowStreams[t.id] = {
        ...rest,
        peakRssMB: peakRss / 2 ** 20,
        startRssMB: startRss / 2 ** 20,
        cpu: { target: share(t.pid, cpu0.target), upstream: share(upstream.pid, cpu0.upstream), client: value.clientCpu },
      };
      countHub(ctx, t, value.count, value.ok, callIds);
      ctx.log(
        `  D  ${TARGET_LABELS[t.id].padEnd(16)} ${value.ok}/${value.count} streams complete in ${(value.wallMs / 1000).toFixed(1)} s, RSS ${(startRss / 2 ** 20).toFixed(0)} → peak ${(peakRss / 2 ** 20).toFixed(0)} MB${value.errors ? `, errors: ${value.errorSamples.slice(0, 3).join('; ')}` : ''}`,
      );
    }
  } finally {
    await jsonRequest('POST', `${upstream.url}/__fake/reset`);
  }
}

export async function runRound(ctx: RoundContext, round: number): Promise<RoundResult> {
  const { phases, settings, log } = ctx;
  const order = rotate(ctx.targets, round);
  log(`\nround ${round + 1}/${settings.rounds}: ${order.map((t) => TARGET_LABELS[t.id]).join(' → ')}`);
  const result: RoundResult = { round: round + 1, sequential: {}, sequentialTtfb: {}, load: {}, streamLoad: {}, slowStreams: {} };

  if (phases.has('A')) {
    const seq = await sequential(ctx, 'A', order, 'json');
    for (const t of order) result.sequential[t.id] = latencyStats(seq[t.id]!.latencies);
    log(`  A  p50 ${order.map((t) => `${t.id} ${result.sequential[t.id]!.p50.toFixed(2)}`).join(', ')} ms`);
  }

  const streamers = order.filter((t) => t.streams);
  if (phases.has('C')) {
    const seq = await sequential(ctx, 'C', streamers, 'stream');
    for (const t of streamers) result.sequentialTtfb[t.id] = latencyStats(seq[t.id]!.ttfbs);
    log(`  C  ttfb p50 ${streamers.map((t) => `${t.id} ${result.sequentialTtfb[t.id]!.p50.toFixed(2)}`).join(', ')} ms`);
  }

  for (const t of phases.has('B') ? order : []) {
    const r = await runLoad(ctx, t, 'json', settings.durationSec);
    result.load[t.id] = r;
    log(loadLine('B', t, r));
    if (HUB_TARGETS.has(t.id)) {
      const threads = Object.entries(r.targetThreadsUsPerRequest).filter(([, us]) => us > 0);
      log(`     ${t.id} CPU per request by thread (µs): ${threads.map(([n, us]) => `${n === 'node' ? 'other threads' : n} ${us}`).join(', ')}`);
    }
  }
  for (const t of phases.has('C') ? streamers : []) {
    const r = await runLoad(ctx, t, 'stream', settings.durationSec);
    result.streamLoad[t.id] = r;
    log(loadLine('C', t, r));
  }

  if (phases.has('D')) await slowStreams(ctx, order, result);
  return result;
}
