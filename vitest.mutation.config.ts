/**
 * The api tests as mutation testing runs them: one project, the same setup as `npm test`'s api
 * project, over the test files scripts/mutation.ts names for the area it mutates (MUTATION_TESTS,
 * comma-separated globs). They are chosen here rather than with Stryker's `testFiles`, which makes
 * it activate mutants of module-level code after the modules were loaded (they would all survive).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: process.env.MUTATION_TESTS?.split(',') ?? ['api/**/*.test.ts'],
    globalSetup: ['api/tests/postgres/global-setup.ts'],
    setupFiles: ['api/tests/helpers/temp-dir-cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
