/**
 * Setup file of the api project: each test file's temporary data directories are removed once its
 * own afterAll hooks (which close hubs and databases) have run — after-hooks run last-registered first.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

afterAll(() => {
  removeTempDirs();
});
