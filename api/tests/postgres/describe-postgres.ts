import { describe, it } from 'vitest';
import { MISSING_DATABASE_MESSAGE, TEST_DATABASE_URL } from './database.js';

/**
 * `describe` for tests that need PostgreSQL: runs them when TEST_DATABASE_URL is set, fails with
 * a clear message when CI is set without it, and otherwise skips them with a notice.
 */
export function describePostgres(name: string, fn: () => void): void {
  if (TEST_DATABASE_URL) {
    describe(name, fn);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(MISSING_DATABASE_MESSAGE);
      });
    });
  } else {
    process.stderr.write(`[postgres] skipping "${name}": ${MISSING_DATABASE_MESSAGE}\n`);
    describe.skip(name, fn);
  }
}
