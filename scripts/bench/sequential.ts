/**
 * The sequential part (1 request in flight), measured with undici's `request` on a keep-alive pool.
 * Targets take turns in blocks of BLOCK requests, so that drift on the machine hits every target
 * alike while the work a gateway does after its answers (batched writes every few milliseconds)
 * mostly lands in its own block: the gateways share a core, and turns of one request each would
 * charge one gateway's background work to the requests of another.
 */
import { Pool } from 'undici';
import { rotate } from './stats.js';

export interface SeqTarget {
  id: string;
  url: string;
  headers: Record<string, string>;
}

export interface SeqSamples {
  /** Whole request, send to last byte (ms). */
  latencies: number[];
  /** Send to first body byte (ms). */
  ttfbs: number[];
  ok: number;
  errors: number;
  errorSamples: string[];
  callIds: string[];
}

const BLOCK = 250;

export async function runSequential<T extends SeqTarget>(targets: T[], bodyOf: (t: T) => string, count: number): Promise<Record<string, SeqSamples>> {
  const pools = new Map<string, { pool: Pool; path: string }>();
  const out: Record<string, SeqSamples> = {};
  for (const t of targets) {
    const u = new URL(t.url);
    pools.set(t.id, { pool: new Pool(u.origin, { connections: 1, keepAliveTimeout: 30_000 }), path: u.pathname });
    out[t.id] = { latencies: [], ttfbs: [], ok: 0, errors: 0, errorSamples: [], callIds: [] };
  }
  /** One request to `t`, recorded in its samples. */
  const once = async (t: T) => {
    const body = bodyOf(t);
    const { pool, path } = pools.get(t.id)!;
    const s = out[t.id]!;
    const t0 = performance.now();
    try {
      const res = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body });
      let first = 0;
      let size = 0;
      for await (const chunk of res.body) {
        if (!first) first = performance.now();
        size += (chunk as Buffer).length;
      }
      const end = performance.now();
      if (res.statusCode !== 200 || size === 0) {
        s.errors += 1;
        if (s.errorSamples.length < 5) s.errorSamples.push(`status ${res.statusCode}`);
        return;
      }
      s.ok += 1;
      s.latencies.push(end - t0);
      s.ttfbs.push(first - t0);
      const id = res.headers['x-aigne-hub-model-call-id'];
      if (typeof id === 'string') s.callIds.push(id);
    } catch (err) {
      s.errors += 1;
      if (s.errorSamples.length < 5) s.errorSamples.push(err instanceof Error ? err.message : String(err));
    }
  };
  try {
    for (let block = 0; block * BLOCK < count; block++) {
      const end = Math.min(count, (block + 1) * BLOCK);
      for (const t of rotate(targets, block)) for (let i = block * BLOCK; i < end; i++) await once(t);
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.pool.close()));
  }
  return out;
}
