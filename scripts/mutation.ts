/**
 * Mutation testing with StrykerJS: `npm run test:mutation [area…] [--force]`. Each area's code is
 * mutated and tried against the test files that cover it (the whole suite for every mutant would
 * take hours on two cores), then the score of every file is printed; the run fails when a file
 * scores under 80 %. Results are kept per area in reports/mutation/, so a later run tries only the
 * mutants whose code or tests changed (`--force` tries them all). HTML reports land there too.
 */
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
    tests: ['api/services/recording/**/*.test.ts', 'api/tests/call-journal.test.ts'],
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

async function runArea(name: string, force: boolean): Promise<boolean> {
  const area = AREAS[name]!;
  const options: PartialStrykerOptions = {
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    mutate: area.mutate,
    coverageAnalysis: 'perTest',
    incremental: true,
    incrementalFile: path.join(reports, `${name}.incremental.json`),
    force,
    reporters: ['html', 'progress'],
    htmlReporter: { fileName: path.join(reports, `${name}.html`) },
    ignorePatterns: ['dist', 'data', 'screenshots', 'src', 'e2e', 'docs', 'reports', 'bench-results'],
    tempDirName: '.stryker-tmp',
    concurrency: 2,
    timeoutMS: 20_000,
    logLevel: 'warn' as PartialStrykerOptions['logLevel'],
  };
  process.env.MUTATION_TESTS = area.tests.join(',');
  const started = performance.now();
  const results = await new Stryker(options).runMutationTest();
  const minutes = (performance.now() - started) / 60_000;
  let ok = true;
  console.log(`\n${name}: ${results.length} mutants in ${minutes.toFixed(1)} min`);
  for (const [file, s] of [...scores(results)].sort(([a], [b]) => a.localeCompare(b))) {
    const low = s.score < MIN_SCORE;
    ok &&= !low;
    console.log(`  ${s.score.toFixed(1).padStart(5)} %  ${String(s.killed).padStart(4)}/${String(s.total).padEnd(4)} ${path.relative(root, file)}${low ? '  (under 80 %)' : ''}`);
    for (const m of s.survived) console.log(`           ${m.status.padEnd(10)} ${m.location.start.line}:${m.location.start.column + 1} ${m.mutatorName}: ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 90)}`);
  }
  return ok;
}

const args = process.argv.slice(2);
const force = args.includes('--force');
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
  for (const name of names.length ? names : Object.keys(AREAS)) ok = (await runArea(name, force)) && ok;
} finally {
  await postgres?.stop();
}
process.exitCode = ok ? 0 : 1;
