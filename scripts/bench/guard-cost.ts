/**
 * `npx tsx scripts/bench/guard-cost.ts [rounds]` — the CPU the connection guard (api/lib/connection-
 * guard.ts) adds per request: a trivial HTTP server with and without it, in turns, 20,000 requests
 * each at 50 in flight; prints the server's CPU µs per request of every round and the medians.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { guardConnections } from '../../api/lib/connection-guard.js';

if (process.env.GUARD_COST_SERVER) {
  const server = createServer((req, res) => {
    const cpu = process.cpuUsage();
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/cpu' ? String(cpu.user + cpu.system) : '{"ok":true}');
  });
  if (process.env.GUARD_COST_SERVER === 'guard') guardConnections(server, { keepAliveTimeoutMs: 65_000, maxPerAddress: 256 });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
} else {
  const round = async (mode: 'bare' | 'guard'): Promise<number> => {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, GUARD_COST_SERVER: mode } });
    const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 50 });
    const get = async (path: string) => (await pool.request({ path, method: 'GET' })).body.text();
    const load = (each: number) => Promise.all(Array.from({ length: 50 }, async () => { for (let i = 0; i < each; i++) await get('/'); }));
    await load(100);
    const before = Number(await get('/cpu'));
    await load(400);
    const after = Number(await get('/cpu'));
    await pool.close();
    child.kill();
    return (after - before) / 20_000;
  };
  const rounds = Number(process.argv[2] ?? 10);
  const results = { bare: [] as number[], guard: [] as number[] };
  for (let r = 0; r < rounds; r++) for (const mode of r % 2 ? (['guard', 'bare'] as const) : (['bare', 'guard'] as const)) results[mode].push(await round(mode));
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  for (const mode of ['bare', 'guard'] as const) {
    process.stdout.write(`${mode.padEnd(5)}  µs CPU per request: ${results[mode].map((x) => x.toFixed(1)).join(' ')}  median ${median(results[mode]).toFixed(1)}\n`);
  }
}
