/** Billing as the hub sets it up: the backend chosen, welcome credits, the upkeep and its stop. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../lib/logger.js';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import { createCallRecorder } from '../recording/call-recorder.js';
import { createUserService } from '../users.js';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { setupBilling } from './index.js';

const openStore = tempStores();

afterEach(() => {
  vi.useRealTimers();
});

async function setup(env: Record<string, string>, upkeepIntervalMs?: number) {
  const { sequelize, models } = await openStore();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
  const users = createUserService(models);
  const recorder = createCallRecorder(models, logger, { commitWindowMs: 0 });
  const config = parseConfig({ NODE_ENV: 'test', AIGNE_HUB_DATA_DIR: makeTempDir(), ...env });
  const billing = await setupBilling({ config, logger, sequelize, models, users, recorder, upkeepIntervalMs });
  return { billing, users, sequelize, models, recorder, logLines };
}

describe('billing setup', () => {
  it('keeps credits in the embedded ledger outside Blocklet Server', async () => {
    const { billing, logLines } = await setup({ CREDIT_BASED_BILLING_ENABLED: 'true', CREDIT_TOPUP_LINK: 'https://pay.example.com/x' });
    expect(billing.backend).toMatchObject({ kind: 'ledger', enabled: true, topUpLink: 'https://pay.example.com/x' });
    // Outside Blocklet Server, Payment Kit is not looked for at all.
    expect(logLines.join('\n')).not.toContain('Payment Kit');
    await billing.close();
  });

  it('grants new users their welcome credits, once', async () => {
    const { billing, users, models } = await setup({ NEW_USER_CREDIT_GRANT: '2.5' });
    await users.ensure('did:new:1');
    await users.ensure('did:new:1');
    expect((await models.CreditGrant.findAll({ where: { userDid: 'did:new:1' }, raw: true })).map((g) => g.source)).toEqual(['new_user']);
    expect((await billing.backend.balance('did:new:1')).balanceNano).toBe(2_500_000_000);
    expect((await billing.backend.transactions('did:new:1', { limit: 10 })).data).toEqual([expect.objectContaining({ type: 'grant', amount: '2.5', reason: 'New user credits' })]);
    const none = await setup({});
    await none.users.ensure('did:new:2');
    expect((await none.billing.backend.transactions('did:new:2', { limit: 10 })).data).toEqual([]);
    await billing.close();
    await none.billing.close();
  });

  it('logs a welcome grant that fails instead of failing the new user', async () => {
    const { billing, users, sequelize, logLines } = await setup({ NEW_USER_CREDIT_GRANT: '1' });
    await sequelize.query('DROP TABLE credit_grants');
    await users.ensure('did:new:3');
    expect(logLines.filter((l) => l.includes('granting new user credits failed'))).toEqual([expect.stringContaining('did:new:3')]);
    await billing.close();
  });

  it('runs the upkeep on its interval, one pass at a time, and stops it on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { billing } = await setup({ CREDIT_BASED_BILLING_ENABLED: 'true' }, 1000);
    let passes = 0;
    let finish!: () => void;
    const sweep = billing.backend.sweep.bind(billing.backend);
    billing.backend.sweep = async (now) => {
      passes += 1;
      await new Promise<void>((r) => (finish = r));
      return sweep(now);
    };
    vi.advanceTimersByTime(999);
    expect(passes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(passes).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(passes).toBe(1);
    const closed = billing.close();
    finish();
    await closed;
    vi.advanceTimersByTime(5000);
    expect(passes).toBe(1);
  });

  it('runs the next pass once one has ended, logs a pass that fails, and closes only after the running pass', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { billing, sequelize, logLines } = await setup({ CREDIT_BASED_BILLING_ENABLED: 'true' }, 1000);
    let passes = 0;
    let ended = 0;
    let finish!: () => void;
    const sweep = billing.backend.sweep.bind(billing.backend);
    billing.backend.sweep = async (now) => {
      passes += 1;
      await new Promise<void>((r) => (finish = r));
      try {
        return await sweep(now);
      } finally {
        ended += 1;
      }
    };
    vi.advanceTimersByTime(1000);
    await sequelize.query('DROP TABLE credit_grants');
    finish();
    await vi.waitFor(() => expect(logLines.filter((l) => l.includes('billing upkeep failed'))).toEqual([expect.stringContaining('credit_grants')]));
    vi.advanceTimersByTime(1000);
    expect(passes).toBe(2);
    const closed = billing.close();
    let done = false;
    void closed.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    finish();
    await closed;
    expect(ended).toBe(2);
  });

  it("writes the ledger's charges and the usage buckets at the recorder's flush", async () => {
    const { billing, recorder, models } = await setup({ CREDIT_BASED_BILLING_ENABLED: 'true' });
    const u = 'did:new:call';
    await billing.backend.grant({ userDid: u, amountNano: 1000 });
    const record = { id: 'call-index-1', userDid: u, creditsNano: 300, model: 'm-1' } as never;
    const reservation = await billing.backend.reserve({ record, candidates: [], maxCostNano: 500 });
    await billing.backend.settle(record, reservation);
    await recorder.commit(modelCallRowOf('call-index-1', { status: 'success', userDid: u, creditsNano: 300, model: 'm-1' }));
    await recorder.settled();
    expect((await billing.backend.balance(u)).balanceNano).toBe(700);
    expect((await billing.backend.transactions(u, { limit: 10 })).data.map((t) => [t.type, t.modelCallId])).toEqual([
      ['charge', 'call-index-1'],
      ['grant', null],
    ]);
    // The embedded ledger reports nothing elsewhere: the bucket's credits count as reported.
    expect((await models.Usage.findAll({ where: { userDid: u }, raw: true })).map((b) => [Number(b.creditsNano), Number(b.reportedCreditsNano)])).toEqual([[300, 300]]);
    await billing.close();
  });
});
