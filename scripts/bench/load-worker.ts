/**
 * Runs one autocannon load in its own process (so the client never shares the orchestrator's
 * event loop) and prints the result as one JSON line on stdout.
 * Input: argv[2] = JSON LoadSpec.
 */
import { createRequire } from 'node:module';
import { cpuShare } from './cpu-share.js';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  durationSec: number;
  sent: number;
  completed: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx answers per second over the run. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  statusCodes: Record<string, number>;
  /** CPU the client itself used, as a share of one core. */
  clientCpu: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; mean: number; max: number; totalCount: number };
  requests: { sent: number; total: number };
}

type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: spec.body,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationSec,
    timeout: 30,
  });
  const result: LoadResult = {
    durationSec: r.duration,
    sent: r.requests.sent,
    completed: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    rps: r['2xx'] / r.duration,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, mean: r.latency.mean, max: r.latency.max },
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    clientCpu: cpuShare(cpu0, t0),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
