/**
 * The Payment Kit billing backend against a fake Payment Kit: the meter is created once, balances
 * come from credit grants, usage goes out as meter events that are retried on failure, marked
 * reported only on success and never counted twice.
 */
import path from 'node:path';
import fs from 'node:fs';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { parseConfig } from '../config.js';
import { createHub, type Hub } from '../hub.js';
import { creditsToNano } from '../lib/decimal.js';
import { createLogger } from '../lib/logger.js';
import { METER_EVENT_NAME } from '../services/billing/payment-kit/backend.js';
import { FAKE_CURRENCY, startFakePaymentKit, type FakePaymentKit } from './fixtures/fake-payment-kit.js';
import { createHttpPaymentKitClient } from './fixtures/payment-kit-http-client.js';
import { createTestDatabase, type TestDatabase } from './postgres/database.js';
import { addProvider, modelCallRow } from './helpers/gateway.js';
import { bearer, makeTempDir, TEST_ADMIN_KEY, type TestHub } from './helpers/hub.js';

const HOUR = 3_600_000;
const databases = [{ name: 'sqlite' }, { name: 'postgres' }];

describe.each(databases)('Payment Kit billing on $name', ({ name }) => {
  let scratch: TestDatabase | undefined;
  let pk: FakePaymentKit;
  let upstream: FakeUpstream;
  let hub: Hub;
  let t: TestHub;
  const dataDir = makeTempDir();
  const admin = bearer(TEST_ADMIN_KEY);

  const member = async (name: string) => {
    const key = await t.request.post('/api/access-keys').set(admin).send({ name });
    return { auth: bearer(key.body.key), userDid: key.body.userDid as string };
  };
  const chat = (auth: Record<string, string>) =>
    t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 10 });
  const usageOf = async (userDid: string) => {
    await hub.gateway.recorder.flush();
    const [rows] = (await hub.sequelize.query('SELECT "creditsNano", "reportedCreditsNano" FROM usages WHERE "userDid" = :u', { replacements: { u: userDid } })) as [
      Record<string, unknown>[],
      unknown,
    ];
    return rows.reduce<{ credits: number; reported: number }>((acc, r) => ({ credits: acc.credits + Number(r.creditsNano), reported: acc.reported + Number(r.reportedCreditsNano) }), { credits: 0, reported: 0 });
  };
  const eventsOf = (userDid: string) => pk.events.filter((e) => e.customer_id === userDid);

  beforeAll(async () => {
    pk = await startFakePaymentKit();
    upstream = await startFakeUpstream();
    scratch = name === 'postgres' ? await createTestDatabase('hub_payment_kit') : undefined;
    const config = parseConfig({
      NODE_ENV: 'test',
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: TEST_ADMIN_KEY,
      AIGNE_HUB_WEB_DIR: path.join(dataDir, 'no-web'),
      CREDIT_BASED_BILLING_ENABLED: 'true',
      CREDIT_TOPUP_LINK: 'https://pay.example.com/credits',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    hub = await createHub(config, { paymentKit: createHttpPaymentKitClient(pk.url), logger: createLogger({ level: 'error' }) });
    t = { hub, config, dataDir, request: supertest(hub.app), adminKey: TEST_ADMIN_KEY, logLines: [], printed: [], close: async () => {} };
    // 0.001 per input token, 0.01 per output token: a call costs 0.043.
    await addProvider(t, { name: 'openai', baseUrl: `${upstream.url}/v1`, keys: ['sk-upstream-0000000000000006'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.001', outputRate: '0.01' }] });
  });
  afterAll(async () => {
    await hub?.close();
    await upstream?.close();
    await pk?.close();
    await scratch?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the billing backend, and grants credits in Payment Kit', async () => {
    expect(hub.billing.kind).toBe('payment-kit');
    const m = await member('granted');
    const res = await t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '5', reason: 'welcome' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userDid: m.userDid, amount: '5', balance: '5' });
    expect(pk.grants).toEqual([expect.objectContaining({ customer_id: m.userDid, currency_id: FAKE_CURRENCY, amountNano: creditsToNano('5'), name: 'welcome' })]);
    expect((await t.request.get('/api/user/credits').set(m.auth)).body).toEqual({ balance: '5', currency: 'credits', pending: '0', link: 'https://pay.example.com/credits' });
    const tx = (await t.request.get('/api/user/credits/transactions').set(m.auth)).body;
    expect(tx.data).toEqual([expect.objectContaining({ type: 'grant', amount: '5' })]);
  });

  it('creates the meter once', async () => {
    expect([...pk.meters.values()]).toEqual([expect.objectContaining({ event_name: METER_EVENT_NAME, unit: 'AIGNE Hub Credits' })]);
    expect(pk.requests.filter((r) => r.method === 'POST' && r.path === '/api/meters')).toHaveLength(1);
  });

  it('answers 402 with the top-up link when Payment Kit holds no credits for the user', async () => {
    const m = await member('broke');
    const res = await chat(m.auth);
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'insufficient_credits', link: 'https://pay.example.com/credits' });
  });

  it('reports a charged call as one meter event and marks it reported', async () => {
    const m = await member('spender');
    await t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '1' });
    const res = await chat(m.auth);
    expect(res.status).toBe(200);
    const row = await modelCallRow(t, res.headers['x-aigne-hub-model-call-id']);
    const cost = Number(row!.creditsNano);
    expect(cost).toBe(creditsToNano('0.043'));
    // Charged at once (held locally until reported).
    expect((await t.request.get('/api/user/credits').set(m.auth)).body.balance).toBe('0.957');
    expect(await usageOf(m.userDid)).toEqual({ credits: cost, reported: 0 });

    await hub.billing.sweep();
    expect(eventsOf(m.userDid)).toEqual([expect.objectContaining({ event_name: METER_EVENT_NAME, valueNano: cost })]);
    expect(eventsOf(m.userDid)[0]!.identifier).toMatch(/^aigne-hub-/);
    expect(await usageOf(m.userDid)).toEqual({ credits: cost, reported: cost });
    expect((await t.request.get('/api/user/credits').set(m.auth)).body).toMatchObject({ balance: '0.957', pending: '0' });
    // A second pass has nothing to send.
    await hub.billing.sweep();
    expect(eventsOf(m.userDid)).toHaveLength(1);
  });

  it('retries a failed report later with the same identifier and marks it reported only on success', async () => {
    const m = await member('retry');
    await t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '1' });
    expect((await chat(m.auth)).status).toBe(200);
    const { credits } = await usageOf(m.userDid);
    pk.failNext(2);
    await hub.billing.sweep();
    expect(eventsOf(m.userDid)).toHaveLength(0);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: 0 });
    const [[report]] = (await hub.sequelize.query(`SELECT * FROM meter_reports WHERE "userDid" = :u`, { replacements: { u: m.userDid } })) as [Record<string, unknown>[], unknown];
    expect(report).toMatchObject({ status: 'pending', attempts: 1 });
    expect(String(report!.lastError)).toMatch(/bad day/);

    // Not yet due: the backoff holds it back.
    const attempts = () => pk.requests.filter((r) => r.path === '/api/meter-events').length;
    const before = attempts();
    await hub.billing.sweep();
    expect(attempts()).toBe(before);
    await hub.billing.sweep(new Date(Date.now() + HOUR));
    expect(eventsOf(m.userDid)).toHaveLength(0);
    await hub.billing.sweep(new Date(Date.now() + 2 * HOUR));
    expect(eventsOf(m.userDid)).toEqual([expect.objectContaining({ identifier: report!.id, valueNano: credits })]);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: credits });
  });

  it('never counts a report twice when Payment Kit recorded it but the answer was lost', async () => {
    const m = await member('lost');
    await t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '1' });
    expect((await chat(m.auth)).status).toBe(200);
    const { credits } = await usageOf(m.userDid);
    pk.acceptThenFail(1);
    await hub.billing.sweep();
    expect(eventsOf(m.userDid)).toHaveLength(1);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: 0 });
    // The retry carries the same identifier: Payment Kit answers that it has it, the hub marks it reported.
    await hub.billing.sweep(new Date(Date.now() + HOUR));
    expect(eventsOf(m.userDid)).toHaveLength(1);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: credits });
    const remaining = pk.grants.filter((g) => g.customer_id === m.userDid).reduce((n, g) => n + g.remainingNano, 0);
    expect(remaining).toBe(creditsToNano('1') - credits);
    expect((await t.request.get('/api/user/credits').set(m.auth)).body.balance).toBe('0.957');
  });
});
