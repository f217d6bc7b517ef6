/** Builds a real hub on a throw-away data directory (real SQLite file, real migrations). */
import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { parseConfig, type Config } from '../../config.js';
import { createHub, type Hub } from '../../hub.js';
import { createLogger, type LogLevel } from '../../lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../postgres/database.js';
import { makeTempDir } from './temp-dir.js';

export { makeTempDir };

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestHub {
  hub: Hub;
  config: Config;
  dataDir: string;
  request: ReturnType<typeof supertest>;
  adminKey: string;
  logLines: string[];
  printed: string[];
  close(): Promise<void>;
}


/**
 * `postgres: true` (or TEST_HUB_DATABASE=postgres in the environment, to try a whole suite on
 * PostgreSQL) gives the hub a fresh database from TEST_DATABASE_URL, dropped on close. Tests that
 * read SQLite's raw values (PRAGMAs, booleans as 1/0) or restart a hub on the same data directory
 * expecting the same database assume SQLite.
 */
export async function startTestHub(
  env: Record<string, string | undefined> = {},
  opts: { dataDir?: string; logLevel?: LogLevel; postgres?: boolean; now?: () => Date; sqlLog?: (sql: string) => void } = {},
): Promise<TestHub> {
  const dataDir = opts.dataDir ?? makeTempDir();
  const onPostgres = !env.DATABASE_URL && (opts.postgres ?? process.env.TEST_HUB_DATABASE === 'postgres');
  const database: TestDatabase | undefined = onPostgres ? await createTestDatabase('hub') : undefined;
  const config = parseConfig({
    NODE_ENV: 'test',
    AIGNE_HUB_DATA_DIR: dataDir,
    AIGNE_HUB_ADMIN_KEY: TEST_ADMIN_KEY,
    AIGNE_HUB_WEB_DIR: path.join(dataDir, 'no-web'),
    // Scheduled health checks would call a test's fake upstream at the top of an hour: on when asked for.
    MODEL_HEALTH_INTERVAL_MIN: '0',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const logLines: string[] = [];
  const printed: string[] = [];
  const logger = createLogger({ level: opts.logLevel ?? 'info', write: (line) => logLines.push(line) });
  const hub = await createHub(config, { logger, print: (line) => printed.push(line), now: opts.now, sqlLog: opts.sqlLog });
  return {
    hub,
    config,
    dataDir,
    request: supertest(hub.app),
    adminKey: config.adminKey ?? '',
    logLines,
    printed,
    async close() {
      await hub.close();
      await database?.drop();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
