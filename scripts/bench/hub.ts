/**
 * The hub as a benchmark target: production build, its own process on a temporary SQLite data dir,
 * provisioned through its own admin API (provider + credential at the fake upstream, a model rate,
 * a member access key and, with billing, a credit grant).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HttpError, jsonRequest } from './http.js';
import { freePort, startProcess, waitForHttp, type Proc } from './procs.js';
import { creditsToNanoBigInt } from './stats.js';

export const BENCH_MODEL = 'gpt-4o-mini';
/** The Anthropic provider's bench model (--api messages). */
export const BENCH_ANTHROPIC_MODEL = 'claude-sonnet-4-5';
/** Credits per token; chosen so that a token costs a whole number of nano-credits. */
export const INPUT_RATE = '0.0000025';
export const OUTPUT_RATE = '0.00001';
export const INPUT_NANO = 2500n;
export const OUTPUT_NANO = 10000n;
const GRANT = '1000000';

export type BillingMode = 'auto' | 'on' | 'off';

export interface HubOptions {
  root: string;
  workDir: string;
  logFile: string;
  upstreamUrl: string;
  cpus?: string;
  billing: BillingMode;
  tracing: boolean;
  /** TRACE_SAMPLE_RATIO when tracing (1, every call, when absent). */
  traceSampleRatio?: number;
  /** Directory for `node --cpu-prof` output; no profiling when absent. */
  profileDir?: string;
  /**
   * The hub's provider for the bench model, at the fake upstream: `openai` (the same-wire relay) or
   * `anthropic` (requests and answers translated through the model classes).
   */
  provider?: BenchProvider;
  /**
   * Also an Anthropic provider (model `anthropic/claude-sonnet-4-5`) beside the OpenAI one, with the
   * same rates: for --api messages|responses, whose same-wire paths are measured next to
   * /api/v1/chat/completions' in the same hub.
   */
  bothProviders?: boolean;
  /** V2_CHAT_VIA_MODEL_CLASSES: /api/v2 through the model classes for every provider. */
  v2ViaModelClasses?: boolean;
  /** DATABASE_URL: a PostgreSQL database; the hub's own SQLite file when absent. */
  databaseUrl?: string;
  log: (line: string) => void;
}

export type BenchProvider = 'openai' | 'anthropic';

export interface Hub {
  proc: Proc;
  url: string;
  dataDir: string;
  sqlitePath: string;
  /** Its PostgreSQL database, when it has one (then `sqlitePath` is not written). */
  databaseUrl?: string;
  memberKey: string;
  userDid: string;
  /** True when credit billing runs with a ledger (grants endpoint present). */
  billing: boolean;
  billingNote: string;
  startedAt: number;
  balanceNano(): Promise<bigint | null>;
  /** Another member key of the same user, with `limits` (API.md §14); answers the key. */
  addKey(limits: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/** `npm run build:api`; a failed type check still emits, so only a missing entry point is fatal. */
export function buildHub(root: string, log: (line: string) => void): string[] {
  const started = Date.now();
  const r = spawnSync('npm', ['run', 'build:api'], { cwd: root, encoding: 'utf8' });
  const problems = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
  if (!fs.existsSync(path.join(root, 'dist/api/index.js'))) throw new Error(`build:api produced no dist/api/index.js\n${r.stdout}\n${r.stderr}`);
  log(`built the hub in ${((Date.now() - started) / 1000).toFixed(1)} s${problems.length ? ` (tsc reported ${problems.length} error(s), output emitted anyway: ${problems[0]})` : ''}`);
  return problems;
}

/** How a start script (`[NAME=value ...] node <flags> dist/api/index.js`, e.g. package.json's `start`) runs the hub. */
export function parseStartScript(script: string): { env: Record<string, string>; flags: string[] } {
  const m = /(?:^|[\s;&])((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)node\s+((?:--\S+\s+)*)dist\/api\/index\.js/.exec(script);
  if (!m) return { env: {}, flags: [] };
  const env = Object.fromEntries(m[1]!.split(/\s+/).filter(Boolean).map((a) => /^([^=]+)=(.*)$/.exec(a)!.slice(1, 3)));
  return { env, flags: m[2]!.split(/\s+/).filter(Boolean) };
}

/** The environment and node flags `npm start` runs the hub at `root` with, so that the bench runs it the same way. */
function npmStart(root: string): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  return parseStartScript(pkg.scripts?.start ?? '');
}

async function launch(o: HubOptions, billingOn: boolean): Promise<{ proc: Proc; url: string; dataDir: string; adminKey: string; startedAt: number }> {
  const dataDir = fs.mkdtempSync(path.join(o.workDir, 'hub-data-'));
  const port = await freePort();
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  // BENCH_HUB_NODE_FLAGS: extra node flags for the hub only (e.g. `--trace-gc` while investigating).
  const extra = (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const start = npmStart(o.root);
  const startEnv = Object.entries(start.env).map(([k, v]) => `${k}=${v}`).join(' ');
  o.log(`starting ${path.join(o.root, 'dist/api/index.js')} as package.json's start script does: ${startEnv || 'no environment'}, node flags ${start.flags.join(' ') || 'none'}${extra.length ? ` + ${extra.join(' ')} (BENCH_HUB_NODE_FLAGS)` : ''}`);
  const args = [...start.flags, ...extra, ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []), path.join(o.root, 'dist/api/index.js')];
  const startedAt = Date.now();
  const proc = startProcess({
    name: 'hub',
    command: process.execPath,
    args,
    cwd: o.root,
    cpus: o.cpus,
    logFile: o.logFile,
    env: {
      ...start.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: adminKey,
      CREDIT_BASED_BILLING_ENABLED: billingOn ? 'true' : 'false',
      NEW_USER_CREDIT_GRANT: '0',
      TRACING_ENABLED: o.tracing ? 'true' : 'false',
      TRACE_SAMPLE_RATIO: String(o.traceSampleRatio ?? 1),
      V2_CHAT_VIA_MODEL_CLASSES: o.v2ViaModelClasses ? 'true' : 'false',
      DATABASE_URL: o.databaseUrl,
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: undefined,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`, proc);
  return { proc, url, dataDir, adminKey, startedAt };
}

export async function startHub(o: HubOptions): Promise<Hub> {
  let billingOn = o.billing !== 'off';
  let note = billingOn ? '' : 'billing off (--billing off)';
  for (;;) {
    const { proc, url, dataDir, adminKey, startedAt } = await launch(o, billingOn);
    const admin = { authorization: `Bearer ${adminKey}` };
    const add = async (name: BenchProvider, model: string) => {
      const provider = await jsonRequest<{ id: string }>('POST', `${url}/api/ai-providers`, { name, baseUrl: name === 'openai' ? `${o.upstreamUrl}/v1` : o.upstreamUrl }, admin);
      await jsonRequest('POST', `${url}/api/ai-providers/${provider.id}/credentials`, { name: 'bench', credentialValue: { api_key: 'sk-bench' } }, admin);
      await jsonRequest('POST', `${url}/api/ai-providers/${provider.id}/model-rates`, { model, type: 'chatCompletion', inputRate: INPUT_RATE, outputRate: OUTPUT_RATE }, admin);
    };
    if (o.bothProviders) {
      await add('openai', BENCH_MODEL);
      await add('anthropic', BENCH_ANTHROPIC_MODEL);
    } else await add(o.provider ?? 'openai', BENCH_MODEL);
    const key = await jsonRequest<{ key: string; userDid: string }>('POST', `${url}/api/access-keys`, { name: 'bench member', role: 'member' }, admin);
    if (billingOn) {
      try {
        await jsonRequest('POST', `${url}/api/credits/grants`, { userDid: key.userDid, amount: GRANT, reason: 'benchmark' }, admin);
        note = `billing on: ledger, ${GRANT} credits granted through POST /api/credits/grants`;
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 404 || o.billing === 'on') throw err;
        o.log('POST /api/credits/grants is not in this build: restarting the hub with billing off');
        note = 'billing off: this build has no credit ledger yet (POST /api/credits/grants answered 404)';
        await proc.stop();
        billingOn = false;
        continue;
      }
    }
    const member = { authorization: `Bearer ${key.key}` };
    return {
      proc,
      url,
      dataDir,
      sqlitePath: path.join(dataDir, 'aikit.db'),
      databaseUrl: o.databaseUrl,
      memberKey: key.key,
      userDid: key.userDid,
      billing: billingOn,
      billingNote: note,
      startedAt,
      async addKey(limits) {
        return (await jsonRequest<{ key: string }>('POST', `${url}/api/access-keys`, { name: 'bench limited', role: 'member', userDid: key.userDid, limits }, admin)).key;
      },
      async balanceNano() {
        if (!billingOn) return null;
        const credits = await jsonRequest<{ balance: string }>('GET', `${url}/api/user/credits`, undefined, member);
        return creditsToNanoBigInt(String(credits.balance));
      },
      stop: () => proc.stop(),
    };
  }
}
