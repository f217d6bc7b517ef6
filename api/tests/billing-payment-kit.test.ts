/**
 * The Payment Kit billing backend, through the real @blocklet/payment-js client, against a fake
 * Payment Kit: the meter is created once, balances come from credit grants, usage goes out as
 * meter events that are retried on failure, marked reported only on success and never counted
 * twice. The client reaches the fake the way it reaches Payment Kit inside Blocklet Server: a
 * signed component call to the port the environment gives for Payment Kit's component.
 */
import path from 'node:path';
import fs from 'node:fs';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { parseConfig } from '../config.js';
import { createHub, type Hub } from '../hub.js';
import { creditsToNano } from '../lib/decimal.js';
import { createLogger } from '../lib/logger.js';
import type { PaymentKitClient } from '../services/billing/payment-kit/client.js';
import { METER_EVENT_NAME } from '../services/billing/payment-kit/backend.js';
import { FAKE_CURRENCY, type FakePaymentKit } from './fixtures/fake-payment-kit.js';
import { connectPaymentJs } from './fixtures/payment-js.js';
import { createTestDatabase, type TestDatabase } from './postgres/database.js';
import { addProvider, modelCallRow } from './helpers/gateway.js';
import { bearer, makeTempDir, TEST_ADMIN_KEY, type TestHub } from './helpers/hub.js';

let pk: FakePaymentKit;
let client: PaymentKitClient;

beforeAll(async () => {
  ({ pk, client } = await connectPaymentJs());
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pk?.close();
});

it('refuses Payment Kit calls that are not signed by the app', async () => {
  const res = await fetch(`${pk.url}/api/meters/${METER_EVENT_NAME}?livemode=true`);
  expect(res.status).toBe(401);
});

const HOUR = 3_600_000;
const databases = [{ name: 'sqlite' }, { name: 'postgres' }];

describe.each(databases)('Payment Kit billing on $name', ({ name }) => {
  let scratch: TestDatabase | undefined;
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
  // A test that stops early leaves no fault behind for the next.
  afterEach(() => {
    pk.failNext(0);
    pk.acceptThenFail(0);
  });

  beforeAll(async () => {
    pk.reset();
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
    hub = await createHub(config, { paymentKit: client, logger: createLogger({ level: 'error' }) });
    t = { hub, config, dataDir, request: supertest(hub.app), adminKey: TEST_ADMIN_KEY, logLines: [], printed: [], close: async () => {} };
    // 0.001 per input token, 0.01 per output token: a call costs 0.043.
    await addProvider(t, { name: 'openai', baseUrl: `${upstream.url}/v1`, keys: ['sk-upstream-0000000000000006'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.001', outputRate: '0.01' }] });
  });
  afterAll(async () => {
    await hub?.close();
    await upstream?.close();
    await scratch?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the billing backend, and grants credits in Payment Kit', async () => {
    expect(hub.billing.kind).toBe('payment-kit');
    const m = await member('granted');
    const res = await t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '5', reason: 'welcome' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userDid: m.userDid, amount: '5', balance: '5' });
    expect(pk.grants.filter((g) => g.customer_id === m.userDid)).toEqual([expect.objectContaining({ customer_id: m.userDid, currency_id: FAKE_CURRENCY, amountNano: creditsToNano('5'), name: 'welcome' })]);
    expect((await t.request.get('/api/user/credits').set(m.auth)).body).toEqual({ balance: '5', currency: 'credits', pending: '0', link: 'https://pay.example.com/credits' });
    const tx = (await t.request.get('/api/user/credits/transactions').set(m.auth)).body;
    expect(tx.data).toEqual([expect.objectContaining({ type: 'grant', amount: '5' })]);
  });

  it('creates the meter once', async () => {
    // Grants and reports, each needing the meter, from two members.
    for (const name of ['meter-a', 'meter-b']) {
      const m = await member(name);
      expect((await t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '1' })).status).toBe(201);
      expect((await chat(m.auth)).status).toBe(200);
      await usageOf(m.userDid);
      await hub.billing.sweep();
      expect(eventsOf(m.userDid)).toHaveLength(1);
    }
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
    // A 4xx: the client does not try it again itself, so each sweep makes one attempt.
    pk.failNext(2, 429);
    await hub.billing.sweep();
    expect(eventsOf(m.userDid)).toHaveLength(0);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: 0 });
    const [[report]] = (await hub.sequelize.query(`SELECT * FROM meter_reports WHERE "userDid" = :u`, { replacements: { u: m.userDid } })) as [Record<string, unknown>[], unknown];
    expect(report).toMatchObject({ status: 'pending', attempts: 1 });
    expect(String(report!.lastError)).toMatch(/429/);

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
    // The client tries a 5xx again with the same identifier: Payment Kit answers that it has that
    // event, and the hub marks the report sent.
    await hub.billing.sweep();
    expect(eventsOf(m.userDid)).toHaveLength(1);
    expect(pk.requests.filter((r) => r.path === '/api/meter-events').length).toBeGreaterThanOrEqual(2);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: credits });
    await hub.billing.sweep(new Date(Date.now() + HOUR));
    expect(eventsOf(m.userDid)).toHaveLength(1);
    expect(await usageOf(m.userDid)).toEqual({ credits, reported: credits });
    const remaining = pk.grants.filter((g) => g.customer_id === m.userDid).reduce((n, g) => n + g.remainingNano, 0);
    expect(remaining).toBe(creditsToNano('1') - credits);
    expect((await t.request.get('/api/user/credits').set(m.auth)).body.balance).toBe('0.957');
  });
});
