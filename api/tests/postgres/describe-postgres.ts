import { describe, it } from 'vitest';
import { MISSING_DATABASE_MESSAGE, TEST_DATABASE_URL } from './database.js';

/**
 * `describe` for tests that need PostgreSQL (global-setup.ts starts a local server when it can):
 * runs them when TEST_DATABASE_URL is set, and otherwise fails with a message saying what to do.
 */
export function describePostgres(name: string, fn: () => void): void {
  if (TEST_DATABASE_URL) {
    describe(name, fn);
  } else {
    describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(MISSING_DATABASE_MESSAGE);
      });
    });
  }
}
