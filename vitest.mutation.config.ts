/**
 * The api tests as mutation testing runs them (scripts/mutation.ts picks the files per area): one
 * project, the same setup as `npm test`'s api project.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['api/**/*.test.ts', 'scripts/**/*.test.ts'],
    setupFiles: ['api/tests/helpers/temp-dir-cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    isolate: false,
  },
});
