/** Child processes of the benchmark: start (optionally pinned to CPUs), wait for ready, sample, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'undici';

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** CPU list for taskset (e.g. "1"); omitted = no pinning. */
  cpus?: string;
  logFile: string;
  cwd?: string;
}

const running = new Set<Proc>();

export function startProcess(o: StartOptions): Proc {
  const out = fs.openSync(o.logFile, 'a');
  const [command, args] = o.cpus ? ['taskset', ['-c', o.cpus, o.command, ...o.args]] : [o.command, o.args];
  const child = spawn(command, args, { env: { ...process.env, ...o.env }, stdio: ['ignore', out, out], cwd: o.cwd });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${o.name}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: Proc = {
    name: o.name,
    pid: child.pid,
    child,
    logFile: o.logFile,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

/** Stops every process still running (in reverse start order). */
export async function stopAll(): Promise<void> {
  for (const p of [...running].reverse()) await p.stop();
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers (below 500, or anything with `anyStatus`), the process dies, or the time runs out. */
export async function waitForHttp(url: string, proc: Proc, options: { timeoutMs?: number; anyStatus?: boolean } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${proc.name} exited while starting; see ${proc.logFile}`);
    try {
      const res = await request(url, { method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (options.anyStatus || res.statusCode < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not answer at ${url} within ${timeoutMs} ms; see ${proc.logFile}`);
}

/** Resident set size of a process in bytes (0 once it is gone). */
export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Peak resident set size over the process's life, in bytes. */
function statusField(pid: number, field: string): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const TICKS_PER_SECOND = 100;

/** A process's parent and its CPU ticks from /proc/<pid>/stat (its own, and its reaped children's); undefined when gone. */
export function procStat(pid: number): { ppid: number; ownTicks: number; childrenTicks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): ppid is 4, utime..cstime are 14..17.
    return { ppid: Number(f[1]), ownTicks: Number(f[11]) + Number(f[12]), childrenTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const s = procStat(pid);
  return s ? (s.ownTicks * 1000) / TICKS_PER_SECOND : 0;
}

/** CPU time per thread name (main thread, libuv workers, V8 workers …) of a process, in ms. */
export function threadCpuMs(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).trim();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Measures the CPU share (1.0 = one core busy) that each process used while `fn` ran. */
export async function withCpuShares<T>(pids: Record<string, number>, fn: () => Promise<T>): Promise<{ value: T; cpu: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  const started = performance.now();
  const value = await fn();
  const wall = performance.now() - started;
  const cpu: Record<string, number> = {};
  for (const [k, pid] of Object.entries(pids)) cpu[k] = Math.round(((cpuMs(pid) - before[k]!) / wall) * 100) / 100;
  return { value, cpu };
}

/** Samples RSS every `everyMs` while `fn` runs; returns the peak seen. */
export async function withPeakRss<T>(pid: number, fn: () => Promise<T>, everyMs = 50): Promise<{ value: T; peakRss: number; startRss: number }> {
  const startRss = rssBytes(pid);
  let peak = startRss;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, everyMs);
  try {
    const value = await fn();
    peak = Math.max(peak, rssBytes(pid));
    return { value, peakRss: peak, startRss };
  } finally {
    clearInterval(timer);
  }
}
