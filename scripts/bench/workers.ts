/** CPU placement of the benchmark's processes, and the load clients run as processes of their own. */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const CORES = os.availableParallelism();

export interface Cpus {
  gateway?: string;
  load?: string;
  note: string;
}

export function planCpus(pin: boolean): Cpus {
  const n = CORES;
  if (!pin) return { note: 'no CPU pinning (--no-pin): targets, upstream and clients share all cores' };
  if (n < 2 || spawnSync('taskset', ['-V']).status !== 0) return { note: 'no CPU pinning (needs taskset and 2 cores)' };
  const gateway = String(n - 1);
  const load = n === 2 ? '0' : `0-${n - 2}`;
  return {
    gateway,
    load,
    note: `pinned with taskset: the gateway under test alone on CPU ${gateway}; the fake upstream, the load clients and this harness on CPU ${load} (for the upstream-direct runs the client moves to CPU ${gateway})`,
  };
}

/** Runs a worker script with its spec and answers the JSON of its last line of output. */
export function runWorker<T>(file: string, spec: unknown, cpus: string | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const argv = ['--import', 'tsx', path.join(HERE, file), JSON.stringify(spec)];
    const [cmd, cmdArgs] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...argv]] : [process.execPath, argv];
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop();
      if (code !== 0 || !last) return reject(new Error(`${file} failed (${code}): ${err.slice(0, 2000)}`));
      resolve(JSON.parse(last) as T);
    });
  });
}
