/**
 * The Payment Kit billing backend on a real SQLite file, through the real payment-js client to a
 * fake Payment Kit: the mirrored balance (fresh, stale, Payment Kit down), reservations and
 * charges, grants, transactions, the usage reports and what a restart reconciles.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { creditsToNano } from '../../../lib/decimal.js';
import { createLogger } from '../../../lib/logger.js';
import type { FakePaymentKit } from '../../../tests/fixtures/fake-payment-kit.js';
import { FAKE_CURRENCY } from '../../../tests/fixtures/fake-payment-kit.js';
import { paymentKitBackend } from '../../../tests/fixtures/payment-kit-backend.js';
import { paymentJsClient, startPaymentJsKit } from '../../../tests/fixtures/payment-js.js';
import { tempStores } from '../../../tests/helpers/temp-store.js';
import type { PaymentKitClient } from './client.js';
import { METER_EVENT_NAME, type PaymentKitBillingOptions } from './backend.js';
import { parseConfig } from '../../../config.js';
import { makeTempDir } from '../../../tests/helpers/temp-dir.js';
import { createCallRecorder } from '../../recording/call-recorder.js';
import { createUserService } from '../../users.js';
import { setupBilling } from '../index.js';

const openStore = tempStores();
let pk: FakePaymentKit;
let client: PaymentKitClient;
let n = 0;
const user = () => `did:test:pk:${++n}`;

beforeAll(async () => {
  pk = await startPaymentJsKit();
});
beforeEach(async () => {
  client = await paymentJsClient();
});
afterEach(() => {
  pk.failNext(0);
  pk.acceptThenFail(0);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pk?.close();
});

const setup = (options: Partial<PaymentKitBillingOptions> = {}) => paymentKitBackend(openStore, client, { topUpLink: 'https://pay.example.com/credits', ...options });

describe('the mirrored balance', () => {
  it('is what Payment Kit holds less what it has not deducted, read again only when stale or forced', async () => {
    const { billing } = await setup();
    const u = user();
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 0, pendingNano: 0 });
    const grant = await billing.grant({ userDid: u, amountNano: creditsToNano('2.5'), reason: 'welcome', source: 'new_user', grantedBy: 'admin' });
    expect(grant).toEqual({ id: expect.any(String), userDid: u, amount: '2.5', reason: 'welcome', expiresAt: null, createdAt: expect.any(String), balance: '2.5' });
    expect(pk.grants.find((g) => g.customer_id === u)).toMatchObject({ currency_id: FAKE_CURRENCY, amountNano: creditsToNano('2.5'), name: 'welcome' });
    // Granted in Payment Kit behind the hub's back: the mirror is fresh, so it is not read yet.
    await client.createCreditGrant({ amount: '1', currency_id: FAKE_CURRENCY, customer_id: u, category: 'paid' });
    expect((await billing.balance(u)).balanceNano).toBe(creditsToNano('2.5'));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_001 });
    try {
      expect((await billing.balance(u)).balanceNano).toBe(creditsToNano('3.5'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('serves the last balance read while Payment Kit hangs, and answers 503 when it never read one', async () => {
    const { billing, logLines } = await setup({ syncTtlMs: 0, remoteTimeoutMs: 300 });
    const u = user();
    await billing.grant({ userDid: u, amountNano: creditsToNano('1') });
    const release = pk.stall();
    try {
      expect((await billing.balance(u)).balanceNano).toBe(creditsToNano('1'));
      expect(logLines.join('\n')).toContain('Payment Kit balance unavailable; using the last one read');
      expect(logLines.join('\n')).toContain('Payment Kit did not answer within 300 ms');
      await expect(billing.balance(user())).rejects.toMatchObject({
        status: 503,
        type: 'server_error',
        code: 'billing_unavailable',
        retryAfter: 5,
        message: 'The billing service (Payment Kit) is unavailable; try again shortly',
      });
    } finally {
      release();
    }
  });

  it('grants with an expiry in seconds, and answers 503 for grants and transactions while the meter cannot be found', async () => {
    const { billing } = await setup();
    const u = user();
    const expiresAt = new Date('2030-01-01T00:00:00.000Z');
    expect(await billing.grant({ userDid: u, amountNano: creditsToNano('1'), expiresAt })).toMatchObject({ expiresAt: '2030-01-01T00:00:00.000Z', reason: null });
    expect(pk.grants.find((g) => g.customer_id === u)!.expires_at).toBe(1893456000);

    // A fresh hub that cannot find its meter (Payment Kit refuses) can neither grant nor list.
    const { billing: cold } = await setup();
    pk.failNext(2, 403, '/api/meters');
    await expect(cold.grant({ userDid: user(), amountNano: 1 })).rejects.toMatchObject({ status: 503, code: 'billing_unavailable' });
    await expect(cold.transactions(user(), { limit: 5 })).rejects.toMatchObject({ status: 503, code: 'billing_unavailable' });
    // It tries again on the next use.
    expect(await cold.transactions(u, { limit: 5 })).toMatchObject({ data: [{ type: 'grant', amount: '1' }] });
  });
});

describe('reservations and charges', () => {
  it('hold what the mirrored balance covers, refuse the rest with the top-up link, and keep charges unreported', async () => {
    const { billing, record } = await setup();
    const u = user();
    await billing.grant({ userDid: u, amountNano: 1000 });
    const r = (await billing.reserve({ record: record(u), candidates: [], maxCostNano: 600.2 }))!;
    expect(r).toEqual({ id: expect.any(String), amountNano: 601 });
    await expect(billing.reserve({ record: record(u), candidates: [], maxCostNano: 400 })).rejects.toMatchObject({
      status: 402,
      type: 'insufficient_credits',
      extra: { link: 'https://pay.example.com/credits' },
      message: 'Insufficient credits: this call may cost up to 0.0000004 credits and the available balance is 0.000000399',
    });
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 1000, pendingNano: 601 });
    await billing.settle(record(u, 250), r);
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 750, pendingNano: 0 });
    // A charge without a reservation still counts; nothing to do for neither.
    await billing.settle(record(u, 50), null);
    await billing.settle(record(u, 0), null);
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 700, pendingNano: 0 });
    // What is available is the mirrored balance less the charges not reported yet.
    await expect(billing.reserve({ record: record(u), candidates: [], maxCostNano: 701 })).rejects.toMatchObject({
      message: 'Insufficient credits: this call may cost up to 0.000000701 credits and the available balance is 0.0000007',
    });
    // A grant answers with that balance too (Payment Kit's 1005 less the 300 not reported).
    expect((await billing.grant({ userDid: u, amountNano: 5 })).balance).toBe('0.000000705');
    const r2 = (await billing.reserve({ record: record(u), candidates: [], maxCostNano: 700 }))!;
    expect(r2.amountNano).toBe(700);
    // A call that cost nothing gives its hold back.
    await billing.settle(record(u, 0), r2);
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 705, pendingNano: 0 });
    expect(billing.reportableNano({ userDid: u, creditsNano: 30 } as never)).toBe(30);
    expect(billing.reportableNano({ userDid: u, creditsNano: -3 } as never)).toBe(0);
    expect(billing.reportableNano({ userDid: null, creditsNano: 30 } as never)).toBe(0);
  });

  it('do nothing with billing off or without a user', async () => {
    const { billing, record } = await setup({ enabled: false });
    const u = user();
    expect(await billing.reserve({ record: record(u), candidates: [], maxCostNano: 1e12 })).toBeNull();
    await billing.settle(record(u, 500), null);
    expect(await billing.balance(u)).toMatchObject({ balanceNano: 0, pendingNano: 0 });
    expect(billing.reportableNano({ userDid: u, creditsNano: 30 } as never)).toBe(0);
    const on = (await setup()).billing;
    expect(await on.reserve({ record: record(''), candidates: [], maxCostNano: 5 })).toBeNull();
  });

  it('are refunded in Payment Kit, not here', async () => {
    const { billing } = await setup();
    await expect(billing.refund('call-x', null)).rejects.toMatchObject({ status: 400, code: 'unsupported', message: expect.stringContaining('refunds are made in Payment Kit') });
  });
});

describe('transactions', () => {
  it("are Payment Kit's, signed by direction, newest first, a page at a time", async () => {
    const { billing } = await setup();
    const u = user();
    for (const amount of [1, 2, 3]) await billing.grant({ userDid: u, amountNano: creditsToNano(String(amount)), reason: `g${amount}` });
    await client.createMeterEvent({ event_name: METER_EVENT_NAME, payload: { customer_id: u, value: '0.25' }, identifier: `tx-${u}`, timestamp: 1 });
    const first = await billing.transactions(u, { limit: 3 });
    expect(first.data.map((t) => [t.type, t.amount, t.balance])).toEqual([
      ['charge', '-0.25', '5.75'],
      ['grant', '3', '6'],
      ['grant', '2', '3'],
    ]);
    expect(first.data[1]).toMatchObject({ reason: 'g3', modelCallId: null, grantId: expect.any(String), createdAt: expect.stringMatching(/Z$/) });
    expect(first.data[0]!.grantId).toBeNull();
    const second = await billing.transactions(u, { limit: 3, cursor: first.next });
    expect(second.data.map((t) => t.amount)).toEqual(['1']);
    expect(second.next).toBeUndefined();
    expect((await billing.transactions(u, { limit: 4 })).next).toBeUndefined();
    for (const cursor of ['not-a-cursor', Buffer.from(JSON.stringify({ page: 0 })).toString('base64url'), Buffer.from(JSON.stringify({ page: 1.5 })).toString('base64url')]) {
      await expect(billing.transactions(u, { limit: 3, cursor })).rejects.toMatchObject({ status: 400, message: 'cursor: not a cursor returned by this endpoint', extra: { param: 'cursor' } });
    }
  });
});

describe('usage reports', () => {
  it('send each unreported range once, in batches, and back off after failures', async () => {
    const { billing, usage, sequelize } = await setup({ reporter: { batchSize: 2, baseBackoffMs: 1000, maxBackoffMs: 3000 } });
    const u = user();
    await billing.grant({ userDid: u, amountNano: creditsToNano('10') });
    await usage(u, 100);
    await usage(u, 300, 100);
    await usage(u, 50);
    await usage('', 70);
    const now = new Date();
    expect(await billing.report(now)).toEqual({ sent: 2, failed: 0 });
    expect(await billing.report(now)).toEqual({ sent: 1, failed: 0 });
    expect(await billing.report(now)).toEqual({ sent: 0, failed: 0 });
    expect(pk.events.filter((e) => e.customer_id === u).map((e) => e.valueNano).sort((a, b) => a - b)).toEqual([50, 100, 200]);
    const [left] = (await sequelize.query(`SELECT COUNT(*) AS n FROM usages WHERE "creditsNano" > "reportedCreditsNano"`)) as [{ n: number }[], unknown];
    expect(Number(left[0]!.n)).toBe(1);

    await usage(u, 10);
    pk.failNext(3, 429);
    const reports = async () => (await sequelize.query(`SELECT "attempts", "nextAttemptAt" FROM meter_reports WHERE "status" = 'pending'`))[0] as { attempts: number; nextAttemptAt: string }[];
    const at = (ms: number) => new Date(now.getTime() + ms);
    expect(await billing.report(now)).toEqual({ sent: 0, failed: 1 });
    expect(new Date((await reports())[0]!.nextAttemptAt).getTime()).toBe(at(1000).getTime());
    expect(await billing.report(at(999))).toEqual({ sent: 0, failed: 0 });
    expect(await billing.report(at(1000))).toEqual({ sent: 0, failed: 1 });
    expect(new Date((await reports())[0]!.nextAttemptAt).getTime()).toBe(at(3000).getTime());
    expect(await billing.report(at(3000))).toEqual({ sent: 0, failed: 1 });
    expect((await reports())[0]).toMatchObject({ attempts: 3 });
    expect(new Date((await reports())[0]!.nextAttemptAt).getTime()).toBe(at(6000).getTime());
    expect(await billing.report(at(6000))).toEqual({ sent: 1, failed: 0 });
    expect(await reports()).toEqual([]);
  });

  it('wait while the meter cannot be found or made, and the upkeep sends them', async () => {
    const { billing, usage, record, sequelize, logLines } = await setup({ reporter: { baseBackoffMs: 1000 } });
    const u = user();
    // Two charged calls, as the recorder's flush leaves them: unreported, and in usage buckets.
    for (const credits of [40, 2]) {
      await billing.settle(record(u, credits), null);
      await usage(u, credits);
    }
    pk.reset();
    pk.failNext(1, 403, '/api/meters');
    const now = new Date();
    expect(await billing.report(now)).toEqual({ sent: 0, failed: 2 });
    expect(logLines.join('\n')).toContain('Payment Kit meter unavailable; usage reports wait');
    const [pending] = (await sequelize.query(`SELECT "attempts", "lastError" FROM meter_reports WHERE "userDid" = :u`, { replacements: { u } })) as [Record<string, unknown>[], unknown];
    expect(pending).toEqual([expect.objectContaining({ attempts: 1, lastError: expect.stringContaining('403') }), expect.objectContaining({ attempts: 1 })]);
    expect(pk.meters.size).toBe(0);
    await billing.sweep(new Date(now.getTime() + 1000));
    expect([...pk.meters.values()]).toEqual([expect.objectContaining({ event_name: METER_EVENT_NAME, unit: 'AIGNE Hub Credits' })]);
    expect(pk.events.filter((e) => e.customer_id === u).map((e) => e.valueNano).sort((a, b) => a - b)).toEqual([2, 40]);
    const [[account]] = (await sequelize.query(`SELECT "unreportedNano", "balanceNano" FROM credit_accounts WHERE "userDid" = :u`, { replacements: { u } })) as [Record<string, number>[], unknown];
    // Payment Kit now owes the deduction: it leaves what is unreported, and the mirrored balance.
    expect(account).toEqual({ unreportedNano: 0, balanceNano: -42 });
  });
});

describe('a restart', () => {
  it('releases what was held and recounts unreported charges from the usage buckets', async () => {
    const { billing, record, usage, sequelize, logLines } = await setup();
    const u = user();
    await billing.grant({ userDid: u, amountNano: 1000 });
    await billing.reserve({ record: record(u), candidates: [], maxCostNano: 400 });
    await usage(u, 300, 100);
    await usage(u, 50);
    await billing.reconcile();
    const [[account]] = (await sequelize.query(`SELECT "heldNano", "unreportedNano" FROM credit_accounts WHERE "userDid" = :u`, { replacements: { u } })) as [Record<string, number>[], unknown];
    expect(account).toEqual({ heldNano: 0, unreportedNano: 250 });
    const released = () => logLines.filter((l) => l.includes('released credit reservations left by a previous stop')).map((l) => JSON.parse(l).count);
    expect(released()).toEqual([1]);
    // A start with nothing held says nothing of it.
    await billing.reconcile();
    expect(released()).toEqual([1]);
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 750, pendingNano: 0 });
    await billing.close();
    expect(pk.events.filter((e) => e.customer_id === u).map((e) => e.valueNano).sort((a, b) => a - b)).toEqual([50, 200]);
  });
});

describe('inside Blocklet Server', () => {
  it('bills through Payment Kit when its component is there', async () => {
    const { sequelize, models } = await openStore();
    const logger = createLogger({ level: 'silent' });
    const config = parseConfig({ NODE_ENV: 'test', AIGNE_HUB_DATA_DIR: makeTempDir(), BLOCKLET_APP_ID: 'zApp', ABT_NODE_SERVICE_PORT: '1', BLOCKLET_APP_ASK: 'set', CREDIT_BASED_BILLING_ENABLED: 'true' });
    const users = createUserService(models);
    const billing = await setupBilling({ config, logger, sequelize, models, users, recorder: createCallRecorder(models, logger) });
    expect(billing.backend).toMatchObject({ kind: 'payment-kit', enabled: true });
    const u = user();
    await billing.backend.grant({ userDid: u, amountNano: 7 });
    expect(pk.grants.filter((g) => g.customer_id === u)).toHaveLength(1);
    await billing.close();
  });
});
