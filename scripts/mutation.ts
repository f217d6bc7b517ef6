/**
 * Mutation testing with StrykerJS: `npm run test:mutation [area…] [--concurrency=N] [--mutate=file,…]
 * [--incremental]`. Each area's code is mutated and tried against the test files that cover it (the
 * whole suite for every mutant would take days on two cores), then the score of every file is
 * printed; the run fails when a file scores under 80 %. Reports land in reports/mutation/ (HTML per
 * area, or per area and files with --mutate); docs/mutation-testing.md has the scores and why.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import type { MutantResult, PartialStrykerOptions } from '@stryker-mutator/api/core';
import { startEmbeddedPostgres } from '../api/tests/postgres/embedded-postgres.js';

const NOT_TESTS = ['!**/*.test.ts'];

/** What each area mutates, and the test files that must kill its mutants. */
export const AREAS: Record<string, { mutate: string[]; tests: string[] }> = {
  redact: {
    mutate: ['api/lib/redact.ts', 'api/providers/shared/provider-error.ts'],
    tests: ['api/lib/redact.test.ts', 'api/providers/shared/provider-error*.test.ts'],
  },
  'access-keys': {
    mutate: ['api/services/access-keys.ts'],
    tests: ['api/services/access-keys*.test.ts'],
  },
  recording: {
    mutate: ['api/services/recording/**/*.ts', ...NOT_TESTS],
    // Not api/tests/call-journal.test.ts: it kills a hub in a child process (where no mutant is
    // active), ~30 s a run, which made the area take hours.
    tests: ['api/services/recording/**/*.test.ts'],
  },
  billing: {
    mutate: ['api/services/billing/**/*.ts', ...NOT_TESTS],
    tests: ['api/services/billing/**/*.test.ts'],
  },
  gateway: {
    mutate: ['api/services/gateway/**/*.ts', ...NOT_TESTS],
    tests: ['api/services/gateway/**/*.test.ts', 'api/tests/gateway-resilience.test.ts', 'api/tests/gateway-secrets.test.ts'],
  },
};

const MIN_SCORE = 80;
const root = path.resolve(import.meta.dirname, '..');
const reports = path.join(root, 'reports/mutation');

/** Killed (or timed out) over all mutants that ran or had no test, per file. */
function scores(results: MutantResult[]): Map<string, { score: number; killed: number; total: number; survived: MutantResult[] }> {
  const byFile = new Map<string, { score: number; killed: number; total: number; survived: MutantResult[] }>();
  for (const m of results) {
    if (m.status === 'Ignored' || m.status === 'CompileError' || m.status === 'RuntimeError') continue;
    const f = byFile.get(m.fileName) ?? { score: 0, killed: 0, total: 0, survived: [] };
    f.total += 1;
    if (m.status === 'Killed' || m.status === 'Timeout') f.killed += 1;
    else f.survived.push(m);
    f.score = (100 * f.killed) / f.total;
    byFile.set(m.fileName, f);
  }
  return byFile;
}

/** The files of a bounded run, for its report's name; many line ranges (`file.ts:1-9`) make it a hash. */
function reportName(only: string[]): string {
  const joined = only.map((f) => path.basename(f, '.ts')).join('+');
  if (joined.length <= 100) return joined;
  const files = [...new Set(only.map((f) => path.basename(f.replace(/:[\d-]+$/, ''), '.ts')))].join('+');
  return `${files}-lines-${createHash('sha256').update(only.join(',')).digest('hex').slice(0, 8)}`;
}

async function runArea(name: string, incremental: boolean, concurrency: number, only: string[]): Promise<boolean> {
  const area = AREAS[name]!;
  // A bounded run over some of the area's files keeps its results apart from the whole area's.
  const mutate = only.length ? only : area.mutate;
  const out = path.join(reports, only.length ? `${name}-${reportName(only)}` : name);
  const options: PartialStrykerOptions = {
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    mutate,
    coverageAnalysis: 'perTest',
    incremental,
    incrementalFile: `${out}.incremental.json`,
    reporters: ['html', 'progress'],
    htmlReporter: { fileName: `${out}.html` },
    ignorePatterns: ['dist', 'data', 'screenshots', 'src', 'e2e', 'docs', 'reports', 'bench-results'],
    tempDirName: '.stryker-tmp',
    concurrency,
    timeoutMS: 20_000,
    logLevel: 'warn' as PartialStrykerOptions['logLevel'],
  };
  process.env.MUTATION_TESTS = area.tests.join(',');
  const started = performance.now();
  const mutants = await new Stryker(options).runMutationTest();
  const minutes = (performance.now() - started) / 60_000;
  let ok = true;
  console.log(`\n${name}: ${mutants.length} mutants in ${minutes.toFixed(1)} min`);
  for (const [file, s] of [...scores(mutants)].sort(([a], [b]) => a.localeCompare(b))) {
    const low = s.score < MIN_SCORE;
    ok &&= !low;
    console.log(`  ${s.score.toFixed(1).padStart(5)} %  ${String(s.killed).padStart(4)}/${String(s.total).padEnd(4)} ${path.relative(root, file)}${low ? '  (under 80 %)' : ''}`);
    for (const m of s.survived) console.log(`           ${m.status.padEnd(10)} ${m.location.start.line}:${m.location.start.column + 1} ${m.mutatorName}: ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 90)}`);
  }
  return ok;
}

const args = process.argv.slice(2);
// Reuses an earlier run's results for unchanged code and tests: quicker, but Stryker 9.6 then keeps
// the old result of module-level (static) mutants even when a new test kills them.
const incremental = args.includes('--incremental');
// Test runners at once (2 by default): each runs the area's test files, PostgreSQL ones included.
const concurrency = Number(args.find((a) => a.startsWith('--concurrency='))?.slice('--concurrency='.length) ?? 2);
// Only these of the area's files (comma-separated), e.g. --mutate=api/services/billing/ledger.ts
const only = args.find((a) => a.startsWith('--mutate='))?.slice('--mutate='.length).split(',').filter(Boolean) ?? [];
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !AREAS[n]);
if (unknown.length) {
  console.error(`unknown area(s): ${unknown.join(', ')}; areas: ${Object.keys(AREAS).join(', ')}`);
  process.exit(2);
}
fs.mkdirSync(reports, { recursive: true });
// One PostgreSQL server for every test run of every worker (their global setup then starts none).
const postgres = process.env.TEST_DATABASE_URL ? undefined : await startEmbeddedPostgres();
if (postgres) process.env.TEST_DATABASE_URL = postgres.url;
let ok = true;
try {
  for (const name of names.length ? names : Object.keys(AREAS)) ok = (await runArea(name, incremental, concurrency, only)) && ok;
} finally {
  await postgres?.stop();
}
process.exitCode = ok ? 0 : 1;
