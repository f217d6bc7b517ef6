/**
 * Billing set up inside Blocklet Server without Payment Kit: credits stay in the embedded ledger,
 * and the log says why. Its own file, as @blocklet/sdk reads the app's components once per process.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../lib/logger.js';
import { stubEnvWithoutPaymentKit } from '../../tests/fixtures/payment-js.js';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import { createCallRecorder } from '../recording/call-recorder.js';
import { createUserService } from '../users.js';
import { setupBilling } from './index.js';

const openStore = tempStores();

afterAll(() => {
  vi.unstubAllEnvs();
});

it('keeps credits in the embedded ledger when Payment Kit is not installed, and logs it', async () => {
  stubEnvWithoutPaymentKit();
  const { sequelize, models } = await openStore();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
  const config = parseConfig({ NODE_ENV: 'test', AIGNE_HUB_DATA_DIR: makeTempDir(), BLOCKLET_APP_ID: 'z-test-app', ABT_NODE_SERVICE_PORT: '1', BLOCKLET_APP_ASK: process.env.BLOCKLET_APP_ASK });
  expect(config.blocklet.enabled).toBe(true);
  const billing = await setupBilling({ config, logger, sequelize, models, users: createUserService(models), recorder: createCallRecorder(models, logger, { commitWindowMs: 0 }) });
  try {
    expect(billing.backend.kind).toBe('ledger');
    expect(logLines.filter((l) => l.includes('Payment Kit is not installed: credits are kept in the embedded ledger'))).toHaveLength(1);
  } finally {
    await billing.close();
  }
});
