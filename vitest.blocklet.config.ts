import { defineConfig } from 'vitest/config';

/** `npm run test:blocklet`: the bundle installed into a real Blocklet Server (its CLI is ~900 MB and slow, so apart from `npm test`). */
export default defineConfig({
  test: {
    name: 'blocklet',
    environment: 'node',
    include: ['blocklet-tests/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 1_800_000,
  },
});
