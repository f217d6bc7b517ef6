/**
 * The Payment Kit billing backend's payment link, meter, summary, numbered pages, balance freshness,
 * upkeep and shutdown, on a real SQLite file through the real payment-js client to a fake Payment Kit.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { creditsToNano } from '../../../lib/decimal.js';
import { createLogger } from '../../../lib/logger.js';
import { initModels } from '../../../store/models/index.js';
import { writeTransaction } from '../../../store/write-transaction.js';
import { FAKE_CURRENCY, FAKE_PAY_CURRENCY, type FakePaymentKit } from '../../../tests/fixtures/fake-payment-kit.js';
import { paymentKitBackend } from '../../../tests/fixtures/payment-kit-backend.js';
import { paymentJsClient, startPaymentJsKit, TEST_APP_URL } from '../../../tests/fixtures/payment-js.js';
import { openMigratedStore } from '../../../tests/helpers/migrated-store.js';
import { tempStores } from '../../../tests/helpers/temp-store.js';
import { upsertUsage } from '../../recording/usage-aggregator.js';
import type { PaymentKitClient } from './client.js';
import { createPaymentKitBilling, METER_EVENT_NAME, type PaymentKitBillingOptions } from './backend.js';

const openStore = tempStores();
let pk: FakePaymentKit;
let client: PaymentKitClient;
let n = 0;
const user = () => `did:test:pk-views:${++n}`;

beforeAll(async () => {
  // Slashes to spare in the app's URL and around a nested mount point: the checkout URL has none of them.
  pk = await startPaymentJsKit({ appUrl: `${TEST_APP_URL}//`, mountPoint: '//apps/payment-kit/' });
});
beforeEach(async () => {
  client = await paymentJsClient();
});
afterEach(() => {
  pk.failNext(0);
  pk.acceptThenFail(0);
  vi.useRealTimers();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pk?.close();
});

const setup = (options: Partial<PaymentKitBillingOptions> = {}) => paymentKitBackend(openStore, client, options);

const eventsOf = (u: string) => pk.events.filter((e) => e.customer_id === u).map((e) => e.valueNano);

describe('the credit payment link', () => {
  it("is checked out under Payment Kit's mount point, with the link's id encoded", () => {
    expect(client.checkoutUrl('plink a/b?c=1')).toBe(`${TEST_APP_URL}/apps/payment-kit/checkout/pay/plink%20a%2Fb%3Fc%3D1`);
  });

  it('is made sure of once (again after a failure), found by a later start and sent with 402 from then on; CREDIT_PAYMENT_LINK wins, billing off has none', async () => {
    const { billing, record, logLines } = await setup();
    expect(billing.topUpLink).toBeUndefined();
    // No payment currency to sell credits in: no price can be made.
    const currencies = pk.paymentCurrencies.splice(0);
    try {
      await expect(billing.paymentLink()).rejects.toThrow('Payment Kit has no payment currency to sell credits in');
    } finally {
      pk.paymentCurrencies.push(...currencies);
    }
    pk.failNext(1, 403, '/api/prices');
    await expect(billing.paymentLink()).rejects.toThrow();
    const link = await billing.paymentLink();
    const made = pk.paymentLinks.filter((l) => l.lookup_key === 'DEFAULT_CREDIT_PAYMENT_LINK');
    // A credit pack product, its price of one credit of the meter's currency per unit, a link with a quantity to choose.
    const product = pk.products.filter((p) => p.type === 'credit');
    expect(product).toEqual([{ id: expect.any(String), name: 'Basic AIGNE Hub Credit Packs', description: 'A pack of AIGNE Hub Credits: pay to get more credits for AIGNE Hub.', type: 'credit' }]);
    const meter = [...pk.meters.values()].find((m) => m.event_name === METER_EVENT_NAME)!;
    const price = pk.prices.filter((p) => p.lookup_key === 'DEFAULT_CREDIT_UNIT_PRICE');
    expect(price).toEqual([
      {
        id: expect.any(String),
        lookup_key: 'DEFAULT_CREDIT_UNIT_PRICE',
        product_id: product[0]!.id,
        type: 'one_time',
        nickname: 'Per Unit Credit For AIGNE Hub',
        unit_amount: '1',
        currency_id: FAKE_PAY_CURRENCY,
        currency_options: [{ currency_id: FAKE_PAY_CURRENCY, unit_amount: '1' }],
        metadata: { credit_config: { priority: 50, valid_duration_value: 0, valid_duration_unit: 'days', currency_id: FAKE_CURRENCY, credit_amount: '1' }, meter_id: meter.id },
      },
    ]);
    expect(made).toEqual([
      {
        id: expect.any(String),
        name: 'Basic AIGNE Hub Credit Packs',
        lookup_key: 'DEFAULT_CREDIT_PAYMENT_LINK',
        line_items: [{ price_id: price[0]!.id, quantity: 1, adjustable_quantity: { enabled: true, minimum: 1, maximum: 100_000_000 } }],
      },
    ]);
    const logged = (msg: string) => logLines.filter((l) => l.includes(msg)).map((l) => JSON.parse(l).lookupKey);
    expect([logged('creating the credit price in Payment Kit'), logged('creating the credit payment link in Payment Kit')]).toEqual([['DEFAULT_CREDIT_UNIT_PRICE'], ['DEFAULT_CREDIT_PAYMENT_LINK']]);
    expect(link).toBe(`${TEST_APP_URL}/apps/payment-kit/checkout/pay/${made[0]!.id}`);
    expect(billing.topUpLink).toBe(link);
    expect(await billing.paymentLink()).toBe(link);
    // A later start finds the price and the link by their lookup keys and makes neither again.
    expect(await (await setup()).billing.paymentLink()).toBe(link);
    expect(pk.paymentLinks.filter((l) => l.lookup_key === 'DEFAULT_CREDIT_PAYMENT_LINK')).toHaveLength(1);
    expect(pk.prices.filter((p) => p.lookup_key === 'DEFAULT_CREDIT_UNIT_PRICE')).toHaveLength(1);
    await expect(billing.reserve({ record: record(user()), candidates: [], maxCostNano: 1 })).rejects.toMatchObject({ status: 402, extra: { link } });

    const fixed = (await setup({ topUpLink: 'https://pay.example.com/x' })).billing;
    expect([await fixed.paymentLink(), fixed.topUpLink]).toEqual(['https://pay.example.com/x', 'https://pay.example.com/x']);
    const requests = pk.requests.length;
    expect(await (await setup({ enabled: false })).billing.paymentLink()).toBeUndefined();
    expect(pk.requests.length).toBe(requests);
  });
});

describe('the meter', () => {
  it('is made once, named and summed as AIGNE Hub makes it, and found again by a later start', async () => {
    pk.reset();
    const first = await setup();
    await first.billing.grantList(user(), { page: 1, pageSize: 1 });
    // The event name is the one AIGNE Hub has always used: an app's existing meter is found by it.
    expect([...pk.meters.values()]).toEqual([
      { id: expect.any(String), name: 'AIGNE Hub AI Meter', description: 'AIGNE Hub AI Meter', event_name: 'agent-hub-ai-meter', unit: 'AIGNE Hub Credits', aggregation_method: 'sum', currency_id: FAKE_CURRENCY },
    ]);
    expect(first.logLines.filter((l) => l.includes('creating the Payment Kit meter')).map((l) => JSON.parse(l).eventName)).toEqual(['agent-hub-ai-meter']);
    // Read back after it was made: Payment Kit expands its currency only then.
    expect((await first.billing.summary(user())).currency).toEqual({ id: FAKE_CURRENCY, symbol: 'AIGNE Hub Credits', decimal: 9 });
    const later = await setup();
    await later.billing.grantList(user(), { page: 1, pageSize: 1 });
    expect(pk.requests.filter((r) => r.method === 'POST' && r.path === '/api/meters')).toHaveLength(1);
    expect(later.logLines.join('\n')).not.toContain('creating the Payment Kit meter');
  });
});

describe('what a user sees', () => {
  it("sums, lists and pages the user's grants and transactions as Payment Kit keeps them", async () => {
    const { billing, record } = await setup();
    const u = user();
    const expiresAt = new Date('2031-05-06T07:08:09.000Z');
    const g1 = await billing.grant({ userDid: u, amountNano: creditsToNano('1.5'), reason: 'trial', expiresAt, grantedBy: 'did:admin', source: 'new_user' });
    const g2 = await billing.grant({ userDid: u, amountNano: creditsToNano('0.5') });
    expect(pk.grants.filter((g) => g.customer_id === u).map((g) => [g.id, g.category, g.metadata, g.name ?? null, g.currency_id])).toEqual([
      [g1.id, 'promotional', { source: 'new_user', grantedBy: 'did:admin' }, 'trial', FAKE_CURRENCY],
      [g2.id, 'promotional', { source: 'admin', grantedBy: null }, null, FAKE_CURRENCY],
    ]);
    await billing.reserve({ record: record(u), candidates: [], maxCostNano: 100 });
    expect(await billing.summary(u)).toEqual({
      balanceNano: 2_000_000_000,
      pendingNano: 100,
      totalNano: 2_000_000_000,
      grantCount: 2,
      currency: { id: FAKE_CURRENCY, symbol: 'AIGNE Hub Credits', decimal: 9 },
    });
    expect(await billing.summary(user())).toMatchObject({ balanceNano: 0, pendingNano: 0, totalNano: 0, grantCount: 0 });
    const created = (id: string) => new Date(pk.grants.find((g) => g.id === id)!.created_at).toISOString();
    expect(await billing.grantList(u, { page: 1, pageSize: 1 })).toEqual({
      count: 2,
      list: [{ id: g2.id, userDid: u, amount: '0.5', reason: null, expiresAt: null, createdAt: created(g2.id), status: 'granted' }],
    });
    expect((await billing.grantList(u, { page: 2, pageSize: 1 })).list).toEqual([
      { id: g1.id, userDid: u, amount: '1.5', reason: 'trial', expiresAt: expiresAt.toISOString(), createdAt: created(g1.id), status: 'granted' },
    ]);
    expect((await billing.transactionList(u, { page: 1, pageSize: 1 })).list).toEqual([expect.objectContaining({ grantId: g2.id, reason: null, balance: '2' })]);
    const txs = await billing.transactionList(u, { page: 2, pageSize: 1 });
    expect(txs).toEqual({ count: 2, list: [{ id: expect.any(String), type: 'grant', amount: '1.5', balance: '1.5', reason: 'trial', modelCallId: null, grantId: g1.id, createdAt: created(g1.id) }] });
  });

  it('shows expiries as negative, a charge of nothing without a sign, and a grant used up as Payment Kit says', async () => {
    const { billing } = await setup();
    const u = user();
    const g = await billing.grant({ userDid: u, amountNano: creditsToNano('0.75') });
    await client.createMeterEvent({ event_name: METER_EVENT_NAME, payload: { customer_id: u, value: '0' }, identifier: `zero-${u}`, timestamp: 1 });
    pk.expire(g.id);
    expect((await billing.transactions(u, { limit: 5 })).data.map((t) => [t.type, t.amount, t.balance, t.reason, t.grantId])).toEqual([
      ['expire', '-0.75', '0', null, g.id],
      ['charge', '0', '0.75', 'AIGNE Hub usage', null],
      ['grant', '0.75', '0.75', null, g.id],
    ]);
    expect((await billing.grantList(u, { page: 1, pageSize: 5 })).list.map((x) => [x.id, x.status])).toEqual([[g.id, 'depleted']]);
  });

  it('answers 503 for the summary and the grant list while Payment Kit cannot be reached', async () => {
    const { billing } = await setup();
    const u = user();
    await billing.grant({ userDid: u, amountNano: 5 });
    pk.failNext(1, 403, '/api/credit-grants/summary');
    await expect(billing.summary(u)).rejects.toMatchObject({ status: 503, code: 'billing_unavailable' });
    // A first grant whose balance cannot be read back is answered without one.
    pk.failNext(1, 403, '/api/credit-grants/summary');
    const grant = await billing.grant({ userDid: user(), amountNano: 2 });
    expect(grant).toMatchObject({ amount: '0.000000002' });
    expect(grant).not.toHaveProperty('balance');
    const cold = (await setup()).billing;
    pk.failNext(2, 403, '/api/meters');
    await expect(cold.grantList(u, { page: 1, pageSize: 5 })).rejects.toMatchObject({ status: 503, code: 'billing_unavailable' });
    await expect(cold.summary(u)).rejects.toMatchObject({ status: 503, code: 'billing_unavailable' });
    expect((await cold.grantList(u, { page: 1, pageSize: 5 })).count).toBe(1);
  });
});

describe('the mirrored balance', () => {
  it('is trusted for ten seconds by default, and read again from the tenth', async () => {
    const { billing } = await setup({ syncTtlMs: undefined });
    const u = user();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    await billing.grant({ userDid: u, amountNano: 10 });
    await client.createCreditGrant({ amount: '0.000000005', currency_id: FAKE_CURRENCY, customer_id: u, category: 'paid' });
    vi.setSystemTime(start + 9_999);
    expect((await billing.balance(u)).balanceNano).toBe(10);
    vi.setSystemTime(start + 10_000);
    expect((await billing.balance(u)).balanceNano).toBe(15);
    // Usage Payment Kit has recorded but not deducted yet is not spendable.
    pk.pending.set(u, 4);
    vi.setSystemTime(start + 20_000);
    expect((await billing.balance(u)).balanceNano).toBe(11);
  });
});

describe('the upkeep and the shutdown', () => {
  it('release expired holds and report usage only with billing on; a report that fails at shutdown is logged', async () => {
    const { billing, record, usage, logLines, sequelize } = await setup();
    const u = user();
    await billing.grant({ userDid: u, amountNano: 1000 });
    await billing.reserve({ record: record(u), candidates: [], maxCostNano: 300 });
    await billing.sweep();
    expect(await billing.balance(u)).toMatchObject({ pendingNano: 300 });
    await billing.sweep(new Date(Date.now() + 61_000));
    expect(await billing.balance(u)).toMatchObject({ balanceNano: 1000, pendingNano: 0 });
    // Only the sweep that released something says so.
    expect(logLines.filter((l) => l.includes('released expired credit reservations')).map((l) => JSON.parse(l).count)).toEqual([1]);

    const off = await setup({ enabled: false });
    const v = user();
    await off.usage(v, 40);
    await off.billing.sweep();
    await off.billing.close();
    expect(eventsOf(v)).toEqual([]);
    await usage(v, 25);
    await billing.close();
    expect(eventsOf(v)).toEqual([25]);

    await usage(v, 7);
    await sequelize.query('DROP TABLE meter_reports');
    await billing.close();
    const failed = logLines.filter((l) => l.includes('reporting usage at shutdown failed; it will be reported at the next start')).map((l) => JSON.parse(l));
    expect(failed).toEqual([expect.objectContaining({ err: expect.objectContaining({ message: expect.stringContaining('meter_reports') }) })]);
  });
});

describe('usage reports', () => {
  it('name their range, bucket and time, count an event Payment Kit already had as sent, and settle the mirror', async () => {
    const { billing, record, usage, sequelize } = await setup();
    const u = user();
    await billing.grant({ userDid: u, amountNano: 1000 });
    await billing.settle(record(u, 30), null);
    await usage(u, 30);
    const [[bucket]] = (await sequelize.query(`SELECT "id" FROM usages WHERE "userDid" = :u`, { replacements: { u } })) as [{ id: string }[], unknown];
    // Recorded, but the answer lost: the client sends it again and Payment Kit says it has it.
    pk.acceptThenFail(1);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 999);
    expect(await billing.report(now)).toEqual({ sent: 1, failed: 0 });
    const identifier = `aigne-hub-${bucket!.id}-0-30`;
    expect(pk.events.filter((e) => e.customer_id === u)).toEqual([
      { id: expect.any(String), identifier, event_name: METER_EVENT_NAME, customer_id: u, valueNano: 30, timestamp: Math.floor(now.getTime() / 1000), metadata: { usageId: bucket!.id, source: 'aigne-hub' } },
    ]);
    const [reports] = (await sequelize.query(`SELECT "id", "status", "attempts", "lastError", "sentAt" FROM meter_reports WHERE "userDid" = :u`, { replacements: { u } })) as [Record<string, unknown>[], unknown];
    expect(reports.map((r) => [r.id, r.status, r.attempts, r.lastError, new Date(r.sentAt as string).getTime()])).toEqual([[identifier, 'sent', 1, null, now.getTime()]]);
    const [[left]] = (await sequelize.query(`SELECT "reportedCreditsNano" AS "r" FROM usages WHERE "userDid" = :u`, { replacements: { u } })) as [{ r: number }[], unknown];
    expect(Number(left!.r)).toBe(30);
    expect(await billing.balance(u)).toEqual({ userDid: u, balanceNano: 970, pendingNano: 0 });
    const [[account]] = (await sequelize.query(`SELECT "balanceNano", "unreportedNano" FROM credit_accounts WHERE "userDid" = :u`, { replacements: { u } })) as [Record<string, number>[], unknown];
    expect(account).toEqual({ balanceNano: 970, unreportedNano: 0 });

    // More usage in the same bucket: only the new range (30 to 50) is sent and leaves the mirror.
    await billing.settle(record(u, 20), null);
    await writeTransaction(sequelize, (t) =>
      upsertUsage(sequelize, [{ id: bucket!.id, periodStart: new Date(), userDid: u, appId: '', model: 'm', providerId: 'p', type: 'chatCompletion', calls: 1, errors: 0, inputTokens: 0, outputTokens: 0, creditsNano: 20, reportedCreditsNano: 0, durations: new Map() }], t),
    );
    expect(await billing.report(new Date(now.getTime() + 1000))).toEqual({ sent: 1, failed: 0 });
    expect(pk.events.filter((e) => e.customer_id === u).map((e) => [e.identifier, e.valueNano])).toEqual([
      [identifier, 30],
      [`aigne-hub-${bucket!.id}-30-50`, 20],
    ]);
    expect(await billing.accounts.get(u)).toMatchObject({ balanceNano: 950, unreportedNano: 0 });
  });

  it('count each range once when two passes send it at the same time', async () => {
    const { billing, record, usage } = await setup();
    const u = user();
    await billing.grant({ userDid: u, amountNano: 1000 });
    for (const credits of [30, 45]) {
      await billing.settle(record(u, credits), null);
      await usage(u, credits);
    }
    const now = new Date();
    const passes = await Promise.all([billing.report(now), billing.report(now)]);
    expect(passes.reduce((n, p) => n + p.sent, 0)).toBeGreaterThanOrEqual(2);
    expect(eventsOf(u).sort((a, b) => a - b)).toEqual([30, 45]);
    expect(await billing.accounts.get(u)).toMatchObject({ balanceNano: 925, unreportedNano: 0 });
  });

  it('log the reports that failed, with how many', async () => {
    const { billing, usage, logLines } = await setup();
    const u = user();
    await usage(u, 12);
    await usage(u, 8);
    pk.failNext(1, 403);
    expect(await billing.report()).toEqual({ sent: 1, failed: 1 });
    expect(await billing.report(new Date(Date.now() + 10_000))).toEqual({ sent: 1, failed: 0 });
    // Logged for the pass that had failures, not for the one that had none.
    expect(logLines.filter((l) => l.includes('some usage reports to Payment Kit failed; they will be retried')).map((l) => [JSON.parse(l).failed, JSON.parse(l).sent])).toEqual([[1, 1]]);
    expect(eventsOf(u).sort((a, b) => a - b)).toEqual([8, 12]);
  });
});

describe('a start on PostgreSQL', () => {
  it('releases only the holds that expired, and keeps the unreported charges (other instances run)', async () => {
    const store = await openMigratedStore('postgres', 'pk_start');
    const { sequelize } = store;
    try {
      const logLines: string[] = [];
      const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
      const billing = createPaymentKitBilling({ sequelize, models: initModels(sequelize), logger, client, enabled: true, reservationTtlMs: 60_000, syncTtlMs: 60_000 });
      const u = user();
      await billing.grant({ userDid: u, amountNano: 1000 });
      await billing.accounts.hold(u, 100, null, new Date(Date.now() - 1000));
      await billing.accounts.hold(u, 50, null, new Date(Date.now() + 60_000));
      await billing.settle({ id: 'call-pg', userDid: u, creditsNano: 20 } as never, null);
      await billing.reconcile();
      expect(await billing.accounts.get(u)).toMatchObject({ balanceNano: 1000, heldNano: 50, unreportedNano: 20 });
      expect(logLines.filter((l) => l.includes('released expired credit reservations')).map((l) => JSON.parse(l).count)).toEqual([1]);
      // A start with nothing expired says nothing of it.
      await billing.reconcile();
      expect(logLines.filter((l) => l.includes('released expired credit reservations'))).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
