/**
 * `npm run bench`: the hub side by side with the upstream alone, a bare forwarding proxy and
 * Portkey's open-source gateway, each in its own process, on loopback, in rounds (options.ts lists
 * the phases and options; `npm run bench -- --help` prints them). Afterwards the hub's SQLite file
 * must hold a ModelCall row for every answer, with the exact credit charge.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { baselineDepsDiffer, checkoutBaseline } from './baseline.js';
import { hubRequest, INPUT_TOKENS, OPENAI_BODIES, OUTPUT_TOKENS } from './bodies.js';
import { buildHub, startHub, type Hub } from './hub.js';
import { api, args, benchLimits, billingMode, help, only, paired, phases, provider, quick, settings, storeKind, traceSampleRatio, tracing, tracingLabel, USAGE } from './options.js';
import { freePort, startProcess, stopAll, waitForHttp, type Proc } from './procs.js';
import { formatProfileSummary, summarizeProfile, type CpuProfile } from './profile-summary.js';
import { checkTargets, formatTable, summarize, type RoundResult } from './report.js';
import { median } from './stats.js';
import { HUB_TARGETS, runLoad, runRound, type RoundContext, type Target } from './round.js';
import { openBenchStore } from './store.js';
import { verifyHubRecords, type HubTally } from './verify.js';
import { CORES, HERE, planCpus, ROOT } from './workers.js';

const log = (line: string) => process.stdout.write(`${line}\n`);
const hubCall = hubRequest(api);

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(ROOT, 'bench-results', stamp);
  fs.mkdirSync(runDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-bench-'));
  const cpus = planCpus(!args['no-pin']);
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

  // Started after the harness pinned itself: an embedded server inherits the load CPU.
  const store = await openBenchStore(storeKind, log);
  let baseline: Hub | undefined;
  if (args.baseline) {
    const baseRoot = checkoutBaseline(args.baseline, workDir);
    if (baselineDepsDiffer(baseRoot)) log(`baseline ${args.baseline}: its package-lock.json differs from this checkout's; it runs with this checkout's node_modules`);
    buildHub(baseRoot, (line) => log(`baseline ${args.baseline}: ${line}`));
    baseline = await startHub({ root: baseRoot, workDir, logFile: path.join(runDir, 'hub-baseline.log'), upstreamUrl, cpus: cpus.gateway, billing: billingMode, tracing, traceSampleRatio, provider, bothProviders: paired, v2ViaModelClasses: args['v2-via-model-classes'], databaseUrl: await store.databaseFor('bench_hub_baseline'), log });
  }

  const profileDir = args.profile ? path.join(runDir, 'profile') : undefined;
  const hub: Hub = await startHub({ root: ROOT, workDir, logFile: path.join(runDir, 'hub.log'), upstreamUrl, cpus: cpus.gateway, billing: billingMode, tracing, traceSampleRatio, profileDir, provider, bothProviders: paired, v2ViaModelClasses: args['v2-via-model-classes'], databaseUrl: await store.databaseFor('bench_hub'), log });
  const tracingNote = !tracing
    ? `${tracingLabel} (TRACING_ENABLED=false)`
    : `${tracingLabel} (${traceSampleRatio < 1 ? 'TRACE_SAMPLE_RATIO' : 'the default'}: spans to the local span store)`;
  log(`hub: ${hub.url}, ${hub.billingNote}; ${tracingNote}; access log on; ${hub.databaseUrl ? store.note : `SQLite at ${hub.sqlitePath}`}`);

  const upstreamAuth = { authorization: 'Bearer sk-bench' };
  const targets: Target[] = [{ id: 'direct', url: `${upstreamUrl}/v1/chat/completions`, headers: upstreamAuth, pid: upstream.pid, streams: true, bodies: OPENAI_BODIES }];
  if (bare) targets.push({ id: 'bare', url: `http://127.0.0.1:${barePort}/v1/chat/completions`, headers: upstreamAuth, pid: bare.pid, streams: true, bodies: OPENAI_BODIES });
  targets.push({ id: 'hub', url: `${hub.url}${hubCall.path}`, headers: { authorization: `Bearer ${hub.memberKey}` }, pid: hub.proc.pid, streams: true, bodies: hubCall.bodies });
  if (benchLimits) {
    const limitedKey = await hub.addKey(benchLimits);
    targets.push({ id: 'limited', url: `${hub.url}${hubCall.path}`, headers: { authorization: `Bearer ${limitedKey}` }, pid: hub.proc.pid, streams: true, bodies: hubCall.bodies });
  }
  if (paired) targets.push({ id: 'ref', url: `${hub.url}/api/v1/chat/completions`, headers: { authorization: `Bearer ${hub.memberKey}` }, pid: hub.proc.pid, streams: true, bodies: OPENAI_BODIES });
  if (baseline) targets.push({ id: 'base', url: `${baseline.url}${hubCall.path}`, headers: { authorization: `Bearer ${baseline.memberKey}` }, pid: baseline.proc.pid, streams: true, bodies: hubCall.bodies });
  // The database server's CPU is counted for the hubs' targets (they run in turns, never together).
  for (const t of targets) if (HUB_TARGETS.has(t.id) && store.cpuMs) t.databaseCpuMs = store.cpuMs;
  const notes: string[] = [hub.billingNote, tracingNote, cpus.note, store.note];
  if (benchLimits) notes.push(`"hub, limited key": the same hub process with a second key of the same user limited to ${benchLimits.rpm} requests and ${benchLimits.tpm} tokens a minute (counted on every call, never reached)`);
  if (provider !== 'openai') notes.push(`the hubs call the fake upstream as an ${provider} provider (answers translated through the model classes); the other targets speak OpenAI to it`);
  if (api === 'v2') notes.push(`the hubs are called at POST /api/v2/chat (the AIGNE transport protocol, ${args['v2-via-model-classes'] || provider !== 'openai' ? 'through the model classes' : 'on the OpenAI wire without the model classes'}); "hub chat/completions" is the same hub process at /api/v1/chat/completions (same wire to OpenAI), measured in turns with it; the other targets at the OpenAI API`);
  else if (paired) notes.push(`the hub is called at POST ${hubCall.path} (same wire to ${api === 'messages' ? 'an Anthropic' : 'the OpenAI'} provider${api === 'responses' ? ', responses stored' : ''}); "hub chat/completions" is the same hub process at /api/v1/chat/completions (same wire to OpenAI), measured in turns with it`);
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
  const ctx: RoundContext = { targets, settings, phases, tally, upstream: { url: upstreamUrl, pid: upstream.pid }, cpus, log };

  log(`\nwarm-up: ${settings.warmupSec} s of load per target, non-streamed and streamed`);
  for (const t of targets) {
    if (phases.has('A') || phases.has('B')) await runLoad(ctx, t, 'json', settings.warmupSec);
    if (t.streams && (phases.has('C') || phases.has('D'))) await runLoad(ctx, t, 'stream', settings.warmupSec);
  }
  const loadStartedAt = Date.now();

  const rounds: RoundResult[] = [];
  for (let round = 0; round < settings.rounds; round++) rounds.push(await runRound(ctx, round));

  // Let the last group commit and the usage flush land, then read the hub's own database.
  await new Promise((r) => setTimeout(r, 1500));
  const balanceAfter = await hub.balanceNano();
  const spent = balanceBefore !== null && balanceAfter !== null ? balanceBefore - balanceAfter : null;
  const verification = await verifyHubRecords(hub, tally, spent);

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
    log(`\nCPU per call, ${hubCall.path} ÷ /api/v1/chat/completions (same hub, in turns), by round: B ${show(pairedRatios.json)}; C ${show(pairedRatios.stream)} (medians ${pairedRatios.jsonMedian.toFixed(2)} and ${pairedRatios.streamMedian.toFixed(2)})`);
    log(`added latency at 1 in flight, ${hubCall.path} ÷ /api/v1/chat/completions, by round: A p50 ${show(pairedRatios.added)}; C ttfb p50 ${show(pairedRatios.addedTtfb)} (medians ${pairedRatios.addedMedian.toFixed(2)} and ${pairedRatios.addedTtfbMedian.toFixed(2)})`);
  }
  log(`\nB, CPU used (1.0 = one core): ${ids.map((t) => `${t} target ${summary.figures.loadTargetCpu?.[t]?.toFixed(2)} / upstream ${summary.figures.loadUpstreamCpu?.[t]?.toFixed(2)} / client ${summary.figures.loadClientCpu?.[t]?.toFixed(2)}`).join('; ')}`);
  log(`\ntargets (hub with auth, call records and access log on; ${hub.billing ? 'billing on' : 'billing OFF'}; ${tracingLabel}):`);
  for (const c of targetChecks) log(`  ${c.ok === null ? 'n/a ' : c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  log(`\nrecords in the hub’s ${hub.databaseUrl ? 'PostgreSQL database' : 'SQLite file'}:`);
  for (const c of verification.checks) log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);

  await hub.stop();
  await baseline?.stop();
  await stopAll();
  await store.stop();
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
    hub: { billing: hub.billing, billingNote: hub.billingNote, tracing, traceSampleRatio, provider, api, store: storeKind },
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

if (help) log(USAGE);
else {
  main().catch(async (err) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    await stopAll();
    process.exit(1);
  });
}

/** Per round, the API under test's CPU per call over chat completions' (B non-streamed, C streamed). */
function pairedCpuRatios(rounds: RoundResult[]) {
  const of = (k: 'load' | 'streamLoad') => rounds.map((r) => (r[k].hub?.targetCpuUsPerRequest ?? Number.NaN) / (r[k].ref?.targetCpuUsPerRequest ?? Number.NaN)).filter(Number.isFinite);
  const json = of('load');
  const stream = of('streamLoad');
  const addedOf = (k: 'sequential' | 'sequentialTtfb') =>
    rounds.map((r) => ((r[k].hub?.p50 ?? Number.NaN) - (r[k].direct?.p50 ?? Number.NaN)) / ((r[k].ref?.p50 ?? Number.NaN) - (r[k].direct?.p50 ?? Number.NaN))).filter(Number.isFinite);
  const added = addedOf('sequential');
  const addedTtfb = addedOf('sequentialTtfb');
  return { json, stream, jsonMedian: median(json), streamMedian: median(stream), added, addedTtfb, addedMedian: median(added), addedTtfbMedian: median(addedTtfb) };
}
