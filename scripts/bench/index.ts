/**
 * `npm run bench` — the hub side by side with the upstream alone, a bare forwarding proxy and
 * Portkey's open-source gateway, each in its own process, on loopback:
 *   A  sequential, non-streamed: added latency p50/p99 over the upstream
 *   B  50 in flight, non-streamed: req/s, p50/p99 (autocannon, in its own process)
 *   C  50 in flight, streamed: req/s (autocannon), and ttfb at 1 in flight
 *   D  1,000 concurrent slow streams: the hub's peak RSS and errors
 * Targets take turns in rounds; the table shows medians. Afterwards the hub's SQLite file must hold
 * a ModelCall row for every answer, with the exact credit charge.
 * Options: --quick, --rounds N, --duration S, --requests N, --streams N, --billing auto|on|off,
 *          --tracing on|off|<share> (the hub's TRACING_ENABLED, on by default; a share from 0 to 1 traces
 *          that share of calls: TRACE_SAMPLE_RATIO),
 *          --only hub,bare,portkey (the upstream is always measured), --phases A,B,C,D, --no-pin, --no-build,
 *          --no-portkey, --profile (node --cpu-prof on the hub, summarized), --keep (the hub's data),
 *          --baseline <git ref> (also runs the hub built from that commit, for before/after figures),
 *          --provider openai|anthropic (the hubs' provider at the fake upstream: the same-wire relay,
 *          or translation through the model classes; the other targets always speak OpenAI to it),
 *          --api v1|v2|messages|responses (the hubs' API: the OpenAI one, POST /api/v2/chat (the AIGNE
 *          transport protocol the official AIGNE clients speak, always through the model classes),
 *          or Anthropic's Messages API / OpenAI's Responses API on their same wire (to an Anthropic /
 *          the OpenAI provider), measured in turns with the same hub's /api/v1/chat/completions on its
 *          same wire, the `ref` target)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { buildHub, BENCH_ANTHROPIC_MODEL, BENCH_MODEL, startHub, type BenchProvider, type BillingMode, type Hub } from './hub.js';
import { jsonRequest } from './http.js';
import type { LoadResult, LoadSpec } from './load-worker.js';
import { cpuMs, freePort, startProcess, stopAll, threadCpuMs, waitForHttp, withCpuShares, withPeakRss, type Proc } from './procs.js';
import { formatProfileSummary, summarizeProfile, type CpuProfile } from './profile-summary.js';
import {
  checkTargets,
  formatTable,
  latencyStats,
  summarize,
  TARGET_LABELS,
  type LoadRun,
  type RoundResult,
  type TargetId,
} from './report.js';
import { runSequential } from './sequential.js';
import { countWords, median, rotate } from './stats.js';
import type { StreamsResult, StreamsSpec } from './streams-worker.js';
import { verifyHubRecords, type HubTally } from './verify.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HERE = path.join(ROOT, 'scripts/bench');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    requests: { type: 'string' },
    streams: { type: 'string' },
    billing: { type: 'string', default: 'auto' },
    tracing: { type: 'string', default: 'on' },
    'no-pin': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-portkey': { type: 'boolean', default: false },
    only: { type: 'string' },
    phases: { type: 'string', default: 'A,B,C,D' },
    profile: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    keep: { type: 'boolean', default: false },
    provider: { type: 'string', default: 'openai' },
    api: { type: 'string', default: 'v1' },
  },
});

const quick = args.quick;
const settings = {
  rounds: Number(args.rounds ?? (quick ? 1 : 3)),
  durationSec: Number(args.duration ?? (quick ? 3 : 10)),
  warmupSec: quick ? 1 : 3,
  sequentialRequests: Number(args.requests ?? (quick ? 200 : 1000)),
  connections: 50,
  slowStreams: Number(args.streams ?? 1000),
  slowChunks: quick ? 40 : 100,
  slowChunkDelayMs: 50,
};
const phases = new Set(args.phases!.toUpperCase().split(',').map((s) => s.trim()));
const only = new Set((args.only ?? 'bare,hub,portkey').split(',').map((s) => s.trim()));
const billingMode = args.billing as BillingMode;
if (!/^(on|off|0?\.\d+|[01])$/.test(args.tracing!)) throw new Error('--tracing must be on, off or a share from 0 to 1');
const traceSampleRatio = args.tracing === 'on' ? 1 : args.tracing === 'off' ? 0 : Number(args.tracing);
const tracing = traceSampleRatio > 0;
const tracingLabel = !tracing ? 'tracing off' : traceSampleRatio < 1 ? `tracing on for a share ${traceSampleRatio} of calls` : 'tracing on for every call';
if (!['auto', 'on', 'off'].includes(billingMode)) throw new Error('--billing must be auto, on or off');
if (args.provider !== 'openai' && args.provider !== 'anthropic') throw new Error('--provider must be openai or anthropic');
const provider = args.provider as BenchProvider;
if (!['v1', 'v2', 'messages', 'responses'].includes(args.api!)) throw new Error('--api must be v1, v2, messages or responses');
const api = args.api as 'v1' | 'v2' | 'messages' | 'responses';
/** --api messages|responses: the API under test beside the same hub's chat completions (both same wire). */
const paired = api === 'messages' || api === 'responses';
if (paired && provider !== 'openai') throw new Error('--api messages|responses picks its providers itself (Anthropic for messages, OpenAI for responses)');

const log = (line: string) => process.stdout.write(`${line}\n`);

const SYSTEM = 'You are a terse assistant that answers in one line.';
const USER = 'Summarize why a gateway should add as little latency as it can to every call';
const messages = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: USER },
];
/** What a target is sent, and the text its streams end with. */
interface Bodies {
  json: string;
  stream: string;
  streamEnd: string;
}
const OPENAI_BODIES: Bodies = {
  json: JSON.stringify({ model: BENCH_MODEL, messages }),
  stream: JSON.stringify({ model: BENCH_MODEL, messages, stream: true }),
  streamEnd: 'data: [DONE]',
};
/** POST /api/v2/chat: the AIGNE transport protocol; a stream ends with the event that carries the usage. */
const aigneInput = (streaming: boolean) => JSON.stringify({ agent: '$CHAT_MODEL', input: { messages, modelOptions: { model: BENCH_MODEL } }, options: { streaming } });
const AIGNE_BODIES: Bodies = { json: aigneInput(false), stream: aigneInput(true), streamEnd: '"usage"' };
/** POST /api/v1/messages to the Anthropic provider: its stream ends with `message_stop`. */
const messagesBody = (stream: boolean) => JSON.stringify({ model: `anthropic/${BENCH_ANTHROPIC_MODEL}`, max_tokens: 256, system: SYSTEM, messages: [{ role: 'user', content: USER }], ...(stream ? { stream } : {}) });
const MESSAGES_BODIES: Bodies = { json: messagesBody(false), stream: messagesBody(true), streamEnd: 'event: message_stop' };
/** POST /api/v1/responses to the OpenAI provider, stored as clients' default has it: its stream ends with `response.completed`. */
const responsesBody = (stream: boolean) => JSON.stringify({ model: `openai/${BENCH_MODEL}`, instructions: SYSTEM, input: USER, ...(stream ? { stream } : {}) });
const RESPONSES_BODIES: Bodies = { json: responsesBody(false), stream: responsesBody(true), streamEnd: 'event: response.completed' };
const HUB_PATH = { v1: '/api/v1/chat/completions', v2: '/api/v2/chat', messages: '/api/v1/messages', responses: '/api/v1/responses' }[api];
const HUB_BODIES = { v1: OPENAI_BODIES, v2: AIGNE_BODIES, messages: MESSAGES_BODIES, responses: RESPONSES_BODIES }[api];
/** What the fake upstream reports: words in, and "Echo: <last user text>" words out. */
const INPUT_TOKENS = countWords(SYSTEM) + countWords(USER);
const OUTPUT_TOKENS = countWords(`Echo: ${USER}`);

interface Target {
  id: TargetId;
  url: string;
  headers: Record<string, string>;
  pid: number;
  streams: boolean;
  bodies: Bodies;
}

interface Cpus {
  gateway?: string;
  load?: string;
  note: string;
}

const CORES = os.availableParallelism();

function planCpus(): Cpus {
  const n = CORES;
  if (args['no-pin']) return { note: 'no CPU pinning (--no-pin): targets, upstream and clients share all cores' };
  if (n < 2 || spawnSync('taskset', ['-V']).status !== 0) return { note: 'no CPU pinning (needs taskset and 2 cores)' };
  const gateway = String(n - 1);
  const load = n === 2 ? '0' : `0-${n - 2}`;
  return {
    gateway,
    load,
    note: `pinned with taskset: the gateway under test alone on CPU ${gateway}; the fake upstream, the load clients and this harness on CPU ${load} (for the upstream-direct runs the client moves to CPU ${gateway})`,
  };
}

function runWorker<T>(file: string, spec: unknown, cpus: string | undefined): Promise<T> {
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

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(ROOT, 'bench-results', stamp);
  fs.mkdirSync(runDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-bench-'));
  const cpus = planCpus();
  if (cpus.load) spawnSync('taskset', ['-a', '-p', '-c', cpus.load, String(process.pid)], { stdio: 'ignore' });
  log(`AIGNE Hub benchmark${quick ? ' (--quick)' : ''}: ${settings.rounds} round(s), ${settings.durationSec} s load runs, ${settings.sequentialRequests} sequential requests per target, ${settings.slowStreams} slow streams`);
  log(`machine: ${os.cpus()[0]?.model ?? 'cpu'} × ${CORES}, Node ${process.version}; ${cpus.note}`);
  log(`logs: ${runDir}`);

  const buildProblems = args['no-build'] ? [] : buildHub(ROOT, log);

  const node = process.execPath;
  const upPort = await freePort();
  const upstream = startProcess({
    name: 'fake upstream',
    command: node,
    args: ['--import', 'tsx', path.join(ROOT, 'scripts/fake-upstream.ts'), '--port', String(upPort), '--no-record'],
    cwd: ROOT,
    cpus: cpus.load,
    logFile: path.join(runDir, 'upstream.log'),
  });
  const upstreamUrl = `http://127.0.0.1:${upPort}`;
  await waitForHttp(`${upstreamUrl}/__fake/health`, upstream);

  const barePort = await freePort();
  const bare = only.has('bare') && startProcess({
    name: 'bare proxy',
    command: node,
    args: ['--import', 'tsx', path.join(HERE, 'bare-proxy.ts'), '--port', String(barePort), '--upstream', upstreamUrl],
    cwd: ROOT,
    cpus: cpus.gateway,
    logFile: path.join(runDir, 'bare-proxy.log'),
  });
  if (bare) await waitForHttp(`http://127.0.0.1:${barePort}/`, bare, { anyStatus: true });

  let portkey: Proc | undefined;
  let portkeyUrl = '';
  if (!args['no-portkey'] && only.has('portkey')) {
    const port = await freePort();
    portkey = startProcess({
      name: 'portkey',
      command: node,
      args: [path.join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${port}`, '--headless'],
      env: { NODE_ENV: 'production' },
      cwd: ROOT,
      cpus: cpus.gateway,
      logFile: path.join(runDir, 'portkey.log'),
    });
    portkeyUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${portkeyUrl}/`, portkey, { anyStatus: true });
  }

  let baseline: Hub | undefined;
  if (args.baseline) {
    const baseRoot = checkoutBaseline(args.baseline, workDir);
    if (baselineDepsDiffer(baseRoot)) log(`baseline ${args.baseline}: its package-lock.json differs from this checkout's; it runs with this checkout's node_modules`);
    buildHub(baseRoot, (line) => log(`baseline ${args.baseline}: ${line}`));
    baseline = await startHub({ root: baseRoot, workDir, logFile: path.join(runDir, 'hub-baseline.log'), upstreamUrl, cpus: cpus.gateway, billing: billingMode, tracing, traceSampleRatio, provider, bothProviders: paired, log });
  }

  const profileDir = args.profile ? path.join(runDir, 'profile') : undefined;
  const hub: Hub = await startHub({ root: ROOT, workDir, logFile: path.join(runDir, 'hub.log'), upstreamUrl, cpus: cpus.gateway, billing: billingMode, tracing, traceSampleRatio, profileDir, provider, bothProviders: paired, log });
  const tracingNote = !tracing
    ? `${tracingLabel} (TRACING_ENABLED=false)`
    : `${tracingLabel} (${traceSampleRatio < 1 ? 'TRACE_SAMPLE_RATIO' : 'the default'}: spans to the local span store)`;
  log(`hub: ${hub.url}, ${hub.billingNote}; ${tracingNote}; access log on; SQLite at ${hub.sqlitePath}`);

  const upstreamAuth = { authorization: 'Bearer sk-bench' };
  const targets: Target[] = [{ id: 'direct', url: `${upstreamUrl}/v1/chat/completions`, headers: upstreamAuth, pid: upstream.pid, streams: true, bodies: OPENAI_BODIES }];
  if (bare) targets.push({ id: 'bare', url: `http://127.0.0.1:${barePort}/v1/chat/completions`, headers: upstreamAuth, pid: bare.pid, streams: true, bodies: OPENAI_BODIES });
  targets.push({ id: 'hub', url: `${hub.url}${HUB_PATH}`, headers: { authorization: `Bearer ${hub.memberKey}` }, pid: hub.proc.pid, streams: true, bodies: HUB_BODIES });
  if (paired) targets.push({ id: 'ref', url: `${hub.url}/api/v1/chat/completions`, headers: { authorization: `Bearer ${hub.memberKey}` }, pid: hub.proc.pid, streams: true, bodies: OPENAI_BODIES });
  if (baseline) targets.push({ id: 'base', url: `${baseline.url}${HUB_PATH}`, headers: { authorization: `Bearer ${baseline.memberKey}` }, pid: baseline.proc.pid, streams: true, bodies: HUB_BODIES });
  const notes: string[] = [hub.billingNote, tracingNote, cpus.note];
  if (provider !== 'openai') notes.push(`the hubs call the fake upstream as an ${provider} provider (answers translated through the model classes); the other targets speak OpenAI to it`);
  if (api === 'v2') notes.push('the hubs are called at POST /api/v2/chat (the AIGNE transport protocol, through the model classes); the other targets at the OpenAI API');
  if (paired) notes.push(`the hub is called at POST ${HUB_PATH} (same wire to ${api === 'messages' ? 'an Anthropic' : 'the OpenAI'} provider${api === 'responses' ? ', responses stored' : ''}); "hub chat/completions" is the same hub process at /api/v1/chat/completions (same wire to OpenAI), measured in turns with it`);
  if (buildProblems.length) notes.push(`npm run build:api reported ${buildProblems.length} type error(s) in files under change; the emitted build was used`);
  if (portkey) {
    const headers = { ...upstreamAuth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamUrl}/v1` };
    const streaming = await probeStreaming(`${portkeyUrl}/v1/chat/completions`, headers);
    targets.push({ id: 'portkey', url: `${portkeyUrl}/v1/chat/completions`, headers, pid: portkey.pid, streams: streaming.ok, bodies: OPENAI_BODIES });
    if (!streaming.ok) {
      const why = `Portkey skipped in C and D: its streaming still fails here (${streaming.detail})`;
      notes.push(why);
      log(why);
    }
  } else notes.push('Portkey left out (--no-portkey / --only)');

  const balanceBefore = await hub.balanceNano();
  const tally: HubTally = {
    sent: 0,
    ok: 0,
    callIds: [],
    usage: [
      { stream: false, inputTokens: INPUT_TOKENS, outputTokens: OUTPUT_TOKENS },
      { stream: true, inputTokens: INPUT_TOKENS, outputTokens: OUTPUT_TOKENS },
      { stream: true, inputTokens: INPUT_TOKENS, outputTokens: settings.slowChunks },
    ],
  };
  /** Targets whose calls the hub records (the API under test and, with --api messages|responses, its chat completions). */
  const recorded = (t: Target) => t.id === 'hub' || t.id === 'ref';
  const countLoad = (t: Target, r: LoadResult) => {
    if (!recorded(t)) return;
    tally.sent += r.sent;
    tally.ok += r.ok;
  };

  const load = async (t: Target, kind: 'json' | 'stream', durationSec: number): Promise<LoadRun> => {
    const spec: LoadSpec = { url: t.url, headers: t.headers, body: t.bodies[kind], connections: settings.connections, durationSec };
    const clientCpus = t.id === 'direct' ? cpus.gateway : cpus.load;
    const threads0 = threadCpuMs(t.pid);
    const { value, cpu } = await withCpuShares({ target: t.pid, upstream: upstream.pid }, () => runWorker<LoadResult>('load-worker.ts', spec, clientCpus));
    const threads1 = threadCpuMs(t.pid);
    countLoad(t, value);
    const wallCpuMs = cpu.target! * value.durationSec * 1000;
    return {
      ...value,
      cpu: { target: cpu.target!, upstream: t.id === 'direct' ? cpu.target! : cpu.upstream!, client: value.clientCpu },
      targetCpuUsPerRequest: value.completed ? Math.round((wallCpuMs * 1000) / value.completed) : Number.NaN,
      targetThreadsUsPerRequest: Object.fromEntries(
        Object.entries(threads1).map(([name, ms]) => [name, value.completed ? Math.round(((ms - (threads0[name] ?? 0)) * 1000) / value.completed) : 0]),
      ),
    };
  };

  log(`\nwarm-up: ${settings.warmupSec} s of load per target, non-streamed and streamed`);
  for (const t of targets) {
    if (phases.has('A') || phases.has('B')) await load(t, 'json', settings.warmupSec);
    if (t.streams && (phases.has('C') || phases.has('D'))) await load(t, 'stream', settings.warmupSec);
  }
  const loadStartedAt = Date.now();

  const rounds: RoundResult[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order = rotate(targets, round);
    log(`\nround ${round + 1}/${settings.rounds}: ${order.map((t) => TARGET_LABELS[t.id]).join(' → ')}`);
    const result: RoundResult = { round: round + 1, sequential: {}, sequentialTtfb: {}, load: {}, streamLoad: {}, slowStreams: {} };

    const seq = phases.has('A') ? await runSequential(order, (t) => t.bodies.json, settings.sequentialRequests) : {};
    for (const t of phases.has('A') ? order : []) {
      const s = seq[t.id]!;
      result.sequential[t.id] = latencyStats(s.latencies);
      if (s.errors) log(`  A ${TARGET_LABELS[t.id]}: ${s.errors} errors (${s.errorSamples.join('; ')})`);
      if (recorded(t)) {
        tally.sent += s.ok + s.errors;
        tally.ok += s.ok;
        tally.callIds.push(...s.callIds);
      }
    }
    if (phases.has('A')) log(`  A  p50 ${order.map((t) => `${t.id} ${result.sequential[t.id]!.p50.toFixed(2)}`).join(', ')} ms`);

    const streamers = order.filter((t) => t.streams);
    const seqStream = phases.has('C') ? await runSequential(streamers, (t) => t.bodies.stream, settings.sequentialRequests) : {};
    for (const t of phases.has('C') ? streamers : []) {
      const s = seqStream[t.id]!;
      result.sequentialTtfb[t.id] = latencyStats(s.ttfbs);
      if (s.errors) log(`  C ${TARGET_LABELS[t.id]}: ${s.errors} errors (${s.errorSamples.join('; ')})`);
      if (recorded(t)) {
        tally.sent += s.ok + s.errors;
        tally.ok += s.ok;
        tally.callIds.push(...s.callIds);
      }
    }
    if (phases.has('C')) log(`  C  ttfb p50 ${streamers.map((t) => `${t.id} ${result.sequentialTtfb[t.id]!.p50.toFixed(2)}`).join(', ')} ms`);

    for (const t of phases.has('B') ? order : []) {
      const r = await load(t, 'json', settings.durationSec);
      result.load[t.id] = r;
      log(`  B  ${TARGET_LABELS[t.id].padEnd(16)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  cpu target ${r.cpu.target} (${r.targetCpuUsPerRequest} µs/req) upstream ${r.cpu.upstream} client ${r.cpu.client}`);
      if (t.id === 'hub' || t.id === 'ref' || t.id === 'base') log(`     ${t.id} CPU per request by thread (µs): ${Object.entries(r.targetThreadsUsPerRequest).filter(([, us]) => us > 0).map(([n, us]) => `${n === 'node' ? 'other threads' : n} ${us}`).join(', ')}`);
    }
    for (const t of phases.has('C') ? streamers : []) {
      const r = await load(t, 'stream', settings.durationSec);
      result.streamLoad[t.id] = r;
      log(`  C  ${TARGET_LABELS[t.id].padEnd(16)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  cpu target ${r.cpu.target} (${r.targetCpuUsPerRequest} µs/req) upstream ${r.cpu.upstream} client ${r.cpu.client}`);
    }

    if (phases.has('D')) await jsonRequest('POST', `${upstreamUrl}/__fake/defaults`, { chunkDelayMs: settings.slowChunkDelayMs, chunks: settings.slowChunks });
    try {
      for (const t of phases.has('D') ? order.filter((x) => x.streams && x.id !== 'direct' && x.id !== 'ref') : []) {
        const spec: StreamsSpec = { url: t.url, headers: t.headers, body: t.bodies.stream, streamEnd: t.bodies.streamEnd, count: settings.slowStreams, timeoutMs: 60_000 };
        const cpu0 = { target: cpuMs(t.pid), upstream: cpuMs(upstream.pid) };
        const t0 = performance.now();
        const { value, peakRss, startRss } = await withPeakRss(t.pid, () => runWorker<StreamsResult>('streams-worker.ts', spec, cpus.load));
        const wall = performance.now() - t0;
        const share = (pid: number, before: number) => Math.round(((cpuMs(pid) - before) / wall) * 100) / 100;
        const { callIds, ...rest } = value;
        result.slowStreams[t.id] = {
          ...rest,
          peakRssMB: peakRss / 2 ** 20,
          startRssMB: startRss / 2 ** 20,
          cpu: { target: share(t.pid, cpu0.target), upstream: share(upstream.pid, cpu0.upstream), client: value.clientCpu },
        };
        if (t.id === 'hub') {
          tally.sent += value.count;
          tally.ok += value.ok;
          tally.callIds.push(...callIds);
        }
        log(`  D  ${TARGET_LABELS[t.id].padEnd(16)} ${value.ok}/${value.count} streams complete in ${(value.wallMs / 1000).toFixed(1)} s, RSS ${(startRss / 2 ** 20).toFixed(0)} → peak ${(peakRss / 2 ** 20).toFixed(0)} MB${value.errors ? `, errors: ${value.errorSamples.slice(0, 3).join('; ')}` : ''}`);
      }
    } finally {
      if (phases.has('D')) await jsonRequest('POST', `${upstreamUrl}/__fake/reset`);
    }
    rounds.push(result);
  }

  // Let the last group commit and the usage flush land, then read the hub's own database.
  await new Promise((r) => setTimeout(r, 1500));
  const balanceAfter = await hub.balanceNano();
  const spent = balanceBefore !== null && balanceAfter !== null ? balanceBefore - balanceAfter : null;
  const verification = await verifyHubRecords(hub.sqlitePath, tally, spent);

  const ids = targets.map((t) => t.id);
  const summary = summarize(rounds, ids);
  const table = formatTable(summary, ids, args.baseline ? { base: `hub @ ${args.baseline}` } : {});
  const targetChecks = checkTargets(summary, settings.slowStreams);

  log(`\nmedians over ${settings.rounds} round(s); A and C-ttfb: ${settings.sequentialRequests} sequential requests per target per round; B and C: ${settings.connections} connections × ${settings.durationSec} s (autocannon); D: ${settings.slowStreams} streams of ${settings.slowChunks} chunks × ${settings.slowChunkDelayMs} ms\n`);
  log(table);
  log('');
  for (const n of notes) log(`note: ${n}`);
  const pairedRatios = paired ? pairedCpuRatios(rounds) : undefined;
  if (pairedRatios) {
    const show = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
    log(`\nCPU per call, ${HUB_PATH} ÷ /api/v1/chat/completions (same hub, both same wire), by round: B ${show(pairedRatios.json)}; C ${show(pairedRatios.stream)} (medians ${pairedRatios.jsonMedian.toFixed(2)} and ${pairedRatios.streamMedian.toFixed(2)})`);
  }
  log(`\nB, CPU used (1.0 = one core): ${ids.map((t) => `${t} target ${summary.figures.loadTargetCpu?.[t]?.toFixed(2)} / upstream ${summary.figures.loadUpstreamCpu?.[t]?.toFixed(2)} / client ${summary.figures.loadClientCpu?.[t]?.toFixed(2)}`).join('; ')}`);
  log(`\ntargets (hub with auth, call records and access log on; ${hub.billing ? 'billing on' : 'billing OFF'}; ${tracingLabel}):`);
  for (const c of targetChecks) log(`  ${c.ok === null ? 'n/a ' : c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  log('\nrecords in the hub’s SQLite file:');
  for (const c of verification.checks) log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);

  await hub.stop();
  await baseline?.stop();
  await stopAll();
  let profile: string | undefined;
  if (profileDir && fs.existsSync(profileDir)) {
    const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const p = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
      profile = formatProfileSummary(summarizeProfile(p, 30, loadStartedAt - hub.startedAt));
      fs.writeFileSync(path.join(runDir, 'profile-summary.txt'), `${profile}\n`);
      log(`\nhub CPU profile (from the end of warm-up): ${path.join(profileDir, file)}\n${profile}`);
    }
  }

  const out = {
    startedAt: stamp,
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: { cpu: os.cpus()[0]?.model, cores: CORES, node: process.version, memoryMB: Math.round(os.totalmem() / 2 ** 20) },
    settings,
    notes,
    hub: { billing: hub.billing, billingNote: hub.billingNote, tracing, traceSampleRatio, provider, api },
    tokens: { input: INPUT_TOKENS, output: OUTPUT_TOKENS },
    rounds,
    medians: summary.figures,
    table,
    targets: targetChecks,
    pairedRatios,
    verification,
  };
  fs.writeFileSync(path.join(runDir, 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
  fs.writeFileSync(path.join(ROOT, 'bench-results', 'latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  log(`\nresults: ${path.join(runDir, 'results.json')}`);
  if (!args.keep) fs.rmSync(workDir, { recursive: true, force: true });
  else log(`kept the hub's data dir: ${hub.dataDir}`);
  if (!verification.ok) process.exitCode = 1;
}

/** Per round, the API under test's CPU per call over chat completions' (B non-streamed, C streamed). */
function pairedCpuRatios(rounds: RoundResult[]) {
  const of = (k: 'load' | 'streamLoad') => rounds.map((r) => (r[k].hub?.targetCpuUsPerRequest ?? Number.NaN) / (r[k].ref?.targetCpuUsPerRequest ?? Number.NaN)).filter(Number.isFinite);
  const json = of('load');
  const stream = of('streamLoad');
  return { json, stream, jsonMedian: median(json), streamMedian: median(stream) };
}

/** The tree of `ref` in a temporary directory, sharing this checkout's node_modules. */
function checkoutBaseline(ref: string, workDir: string): string {
  const dir = path.join(workDir, 'baseline');
  fs.mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive --format=tar "$0" | tar -x -C "$1"`, ref, dir], { cwd: ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Whether `ref` locks other dependencies than this checkout (it still runs with this checkout's node_modules). */
function baselineDepsDiffer(dir: string): boolean {
  const lock = (root: string) => (fs.existsSync(path.join(root, 'package-lock.json')) ? fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8') : '');
  return lock(dir) !== lock(ROOT);
}

async function probeStreaming(url: string, headers: Record<string, string>): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: OPENAI_BODIES.stream });
    const text = await res.body.text();
    if (res.statusCode === 200 && text.includes(OPENAI_BODIES.streamEnd)) return { ok: true, detail: 'ok' };
    return { ok: false, detail: `status ${res.statusCode}: ${text.slice(0, 120)}` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

const shutdown = () => {
  void stopAll().then(() => process.exit(130));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

main().catch(async (err) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
