/** Runs the real entry point (`node --import tsx api/index.ts`) as a child process on a free port. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

export interface HubProcess {
  proc: ChildProcess;
  url: string;
  output(): string;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a hub with `env` on top of the test environment (NODE_ENV=test, PORT=0, 127.0.0.1).
 * DATABASE_URL is taken only from `env`: without it the hub uses SQLite in its data directory.
 */
export function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'api/index.ts'], {
    cwd: root,
    env: { ...inherited, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ACCESS_LOG: 'false', MODEL_HEALTH_INTERVAL_MIN: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${out}`)), 60_000);
    proc.stdout!.on('data', () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        proc,
        url: m[1]!,
        output: () => out,
        async stop(signal = 'SIGTERM') {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}:\n${out}`));
    });
  });
}

export const jsonHeaders = (key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` });

/** `fetch` with a JSON body and a bearer key; resolves with status and parsed body. */
export async function call(url: string, key: string, method: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method, headers: jsonHeaders(key), body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
