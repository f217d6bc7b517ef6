/**
 * A built hub (dist/api/index.js) on a given store, started as `npm start` starts it, timed from
 * spawn to its first healthy answer; provisioned, when asked, with a provider at a fake upstream
 * and a member key for calls.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { jsonRequest } from '../http.js';
import { parseStartScript } from '../hub.js';
import { cpuMs, freePort, startProcess, type Proc } from '../procs.js';
import { postgresCpu } from './db-cpu.js';

export interface HubRun {
  proc: Proc;
  url: string;
  admin: Record<string, string>;
  /** Spawn to the first 200 from /api/health. */
  startMs: number;
  /** CPU time the process had used by then. */
  startCpuMs: number;
  /** The PostgreSQL server's total CPU ms so far, when it runs on this machine. */
  dbCpuMs?: () => number;
  logFile: string;
  stop(): Promise<void>;
}

export interface HubRunOptions {
  root: string;
  dataDir: string;
  databaseUrl?: string;
  logFile: string;
  env?: Record<string, string>;
  /** More node flags, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile the start. */
  nodeFlags?: string[];
}

async function healthy(url: string, proc: Proc, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`the hub exited while starting; see ${proc.logFile}`);
    try {
      const res = await request(`${url}/api/health`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the hub did not answer within ${timeoutMs} ms; see ${proc.logFile}`);
}

export async function runHub(o: HubRunOptions): Promise<HubRun> {
  fs.mkdirSync(o.dataDir, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(o.root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const start = parseStartScript(pkg.scripts?.start ?? '');
  const port = await freePort();
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const startedAt = performance.now();
  const proc = startProcess({
    name: 'hub',
    command: process.execPath,
    args: [...start.flags, ...(o.nodeFlags ?? []), path.join(o.root, 'dist/api/index.js')],
    cwd: o.root,
    logFile: o.logFile,
    env: {
      ...start.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      AIGNE_HUB_DATA_DIR: o.dataDir,
      AIGNE_HUB_ADMIN_KEY: adminKey,
      DATABASE_URL: o.databaseUrl,
      ACCESS_LOG: 'false',
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: undefined,
      ...o.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await healthy(url, proc, 120_000);
  const startMs = performance.now() - startedAt;
  const startCpuMs = cpuMs(proc.pid);
  const dbCpuMs = o.databaseUrl ? await postgresCpu(o.databaseUrl) : undefined;
  return { proc, url, admin: { authorization: `Bearer ${adminKey}` }, startMs, startCpuMs, dbCpuMs, logFile: o.logFile, stop: () => proc.stop() };
}

/** A provider at the fake upstream with a rate for `model`, and a member key (with credits, when billing); returns the key's headers. */
export async function provision(hub: HubRun, upstreamUrl: string, model: string, credits?: string): Promise<Record<string, string>> {
  const provider = await jsonRequest<{ id: string }>('POST', `${hub.url}/api/ai-providers`, { name: 'openai', baseUrl: `${upstreamUrl}/v1` }, hub.admin);
  await jsonRequest('POST', `${hub.url}/api/ai-providers/${provider.id}/credentials`, { name: 'bench', credentialValue: { api_key: 'sk-bench' }, validate: false }, hub.admin);
  await jsonRequest('POST', `${hub.url}/api/ai-providers/${provider.id}/model-rates`, { model, type: 'chatCompletion', inputRate: '0.0000025', outputRate: '0.00001' }, hub.admin);
  const key = await jsonRequest<{ key: string; userDid: string }>('POST', `${hub.url}/api/access-keys`, { name: 'bench member', role: 'member' }, hub.admin);
  if (credits) await jsonRequest('POST', `${hub.url}/api/credits/grants`, { userDid: key.userDid, amount: credits, reason: 'benchmark' }, hub.admin);
  return { authorization: `Bearer ${key.key}` };
}

/** Whether the hub's log has a line with this message yet. */
export function logged(hub: HubRun, msg: string): Record<string, unknown> | undefined {
  const text = fs.existsSync(hub.logFile) ? fs.readFileSync(hub.logFile, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line.includes(msg)) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.msg === msg) return o;
    } catch {
      // not a log line
    }
  }
  return undefined;
}
