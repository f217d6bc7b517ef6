/**
 * Before the api tests: without TEST_DATABASE_URL, starts the local PostgreSQL server the way CI
 * does (`.ci/postgres.sh`: root and Debian's `postgresql` package) and hands its URL to the test
 * processes. When that is not possible the PostgreSQL tests fail with a message saying what to do;
 * they are never skipped.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  if (process.env.TEST_DATABASE_URL) return;
  const root = path.resolve(import.meta.dirname, '../../..');
  const started = spawnSync('bash', ['-c', 'source .ci/postgres.sh >&2 && printf %s "$TEST_DATABASE_URL"'], { cwd: root, encoding: 'utf8' });
  if (started.status === 0 && started.stdout) process.env.TEST_DATABASE_URL = started.stdout;
  else process.stderr.write(`[postgres] could not start PostgreSQL for the tests:\n${started.stderr}\n`);
}
