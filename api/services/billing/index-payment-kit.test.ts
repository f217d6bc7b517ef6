/**
 * Billing set up inside Blocklet Server with Payment Kit installed: the hub finds Payment Kit (the
 * real payment-js client against a fake Payment Kit) and keeps credits there. Its own file, as
 * @blocklet/sdk reads the app's components once per process.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../lib/logger.js';
import type { FakePaymentKit } from '../../tests/fixtures/fake-payment-kit.js';
import { startPaymentJsKit } from '../../tests/fixtures/payment-js.js';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import { createCallRecorder } from '../recording/call-recorder.js';
import { settingsFromConfig } from '../settings.js';
import { createUserService } from '../users.js';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { setupBilling } from './index.js';

const openStore = tempStores();
let pk: FakePaymentKit;

beforeAll(async () => {
  pk = await startPaymentJsKit();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pk?.close();
});

describe('billing setup in Blocklet Server', () => {
  it('keeps credits in Payment Kit when it is installed, billing on or off as the settings say at each read', async () => {
    const { sequelize, models } = await openStore();
    const logLines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
    const config = parseConfig({
      NODE_ENV: 'test',
      AIGNE_HUB_DATA_DIR: makeTempDir(),
      BLOCKLET_APP_ID: 'z-test-app',
      ABT_NODE_SERVICE_PORT: '1',
      BLOCKLET_APP_ASK: process.env.BLOCKLET_APP_ASK,
      CREDIT_BASED_BILLING_ENABLED: 'true',
      CREDIT_TOPUP_LINK: 'https://pay.example.com/pk',
    });
    expect(config.blocklet.enabled).toBe(true);
    let current = settingsFromConfig(config);
    const settings = { current: () => current };
    const recorder = createCallRecorder(models, logger, { commitWindowMs: 0 });
    const billing = await setupBilling({ config, settings, logger, sequelize, models, users: createUserService(models), recorder });
    try {
      expect(billing.backend).toMatchObject({ kind: 'payment-kit', enabled: true, topUpLink: 'https://pay.example.com/pk' });
      current = { ...current, creditBillingEnabled: false };
      expect(billing.backend.enabled).toBe(false);
      expect(logLines.join('\n')).not.toContain('Payment Kit is not installed');
      // The recorder's flush writes the call's usage bucket (Payment Kit's backend has no flush hook of its own).
      await recorder.commit(modelCallRowOf('call-pk-setup', { status: 'success', userDid: 'did:pk:setup', creditsNano: 0, model: 'm-1' }));
      await recorder.settled();
      expect(await models.Usage.count({ where: { userDid: 'did:pk:setup' } })).toBe(1);
    } finally {
      await billing.close();
    }
  });
});
