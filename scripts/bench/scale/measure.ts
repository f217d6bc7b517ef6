/** Timed reads of a running hub: medians of repeated GETs, a streamed export, calls under way. */
import { request } from 'undici';
import { cpuMs, rssBytes } from '../procs.js';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.max(0, Math.ceil((s.length * p) / 100) - 1)]! : NaN;
};

export interface Timed {
  ms: number[];
  median: number;
  /** The hub's CPU time per request (all its threads), when its pid is given. */
  cpuMs?: number;
  /** The database server's CPU time per request, when a reader of it is given. */
  dbCpuMs?: number;
  status: number;
  bytes: number;
}

/** `rounds` GETs one after another; the whole body read each time. */
export async function timeGet(url: string, headers: Record<string, string>, rounds: number, pid?: number, dbCpu?: () => number): Promise<Timed> {
  const ms: number[] = [];
  let status = 0;
  let bytes = 0;
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const dbBefore = dbCpu?.() ?? 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const res = await request(url, { headers, headersTimeout: 600_000, bodyTimeout: 600_000 });
    const body = await res.body.arrayBuffer();
    ms.push(performance.now() - started);
    status = res.statusCode;
    bytes = body.byteLength;
  }
  return { ms, median: median(ms), status, bytes, cpuMs: pid ? (cpuMs(pid) - cpuBefore) / rounds : undefined, dbCpuMs: dbCpu ? (dbCpu() - dbBefore) / rounds : undefined };
}

export interface ExportRun {
  firstByteMs: number;
  totalMs: number;
  /** The hub's CPU time for the whole export. */
  cpuMs: number;
  /** The database server's, when a reader of it is given. */
  dbCpuMs?: number;
  bytes: number;
  lines: number;
  status: number;
  rssBefore: number;
  rssPeak: number;
}

/** A CSV export read as a client would, with the hub's resident memory sampled meanwhile. */
export async function timeExport(url: string, headers: Record<string, string>, pid: number, dbCpu?: () => number): Promise<ExportRun> {
  const rssBefore = rssBytes(pid);
  const cpuBefore = cpuMs(pid);
  const dbBefore = dbCpu?.() ?? 0;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 10);
  try {
    const started = performance.now();
    const res = await request(url, { headers, headersTimeout: 600_000, bodyTimeout: 600_000 });
    let firstByteMs = 0;
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (!bytes) firstByteMs = performance.now() - started;
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines += 1;
    }
    const totalMs = performance.now() - started;
    return { firstByteMs, totalMs, cpuMs: cpuMs(pid) - cpuBefore, dbCpuMs: dbCpu ? dbCpu() - dbBefore : undefined, bytes, lines, status: res.statusCode, rssBefore, rssPeak: Math.max(rssPeak, rssBytes(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

export interface CallSample {
  at: number;
  ms: number;
  status: number;
}

/** Chat calls at a steady rate (open loop) until stopped; each call's start and time. */
export function callLoad(url: string, headers: Record<string, string>, model: string, perSecond: number) {
  const samples: CallSample[] = [];
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'How many calls does a busy quarter hold?' }] });
  let stopped = false;
  const inflight = new Set<Promise<void>>();
  const one = async () => {
    const at = Date.now();
    const started = performance.now();
    let status = 0;
    try {
      const res = await request(`${url}/api/v1/chat/completions`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
      await res.body.dump();
      status = res.statusCode;
    } catch {
      status = -1;
    }
    samples.push({ at, ms: performance.now() - started, status });
  };
  const timer = setInterval(() => {
    if (stopped) return;
    const p = one().finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / perSecond);
  return {
    samples,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inflight);
    },
  };
}

export function latencySummary(samples: CallSample[]) {
  const ms = samples.map((s) => s.ms);
  return {
    calls: samples.length,
    failed: samples.filter((s) => s.status !== 200).length,
    p50: Math.round(percentile(ms, 50) * 10) / 10,
    p99: Math.round(percentile(ms, 99) * 10) / 10,
    max: Math.round(Math.max(0, ...ms) * 10) / 10,
    over50ms: ms.filter((m) => m > 50).length,
  };
}
