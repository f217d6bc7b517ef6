/**
 * API.md §13 inside Blocklet Server with billing on: the hub makes sure Payment Kit has its meter, a
 * credit price and a payment link — created once, found again after a restart, never when billing
 * is off or CREDIT_PAYMENT_LINK names another — and answers that link as `paymentLink`, in 402s and
 * on /api/v2/status. Balances, grants and transactions come from Payment Kit. Against the fake
 * Payment Kit, through the real @blocklet/payment-js client.
 */
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../config.js';
import { createHub, type Hub } from '../hub.js';
import { createLogger } from '../lib/logger.js';
import { METER_EVENT_NAME } from '../services/billing/payment-kit/backend.js';
import { CREDIT_PAYMENT_LINK_KEY, CREDIT_PRICE_KEY } from '../services/billing/payment-kit/credit-link.js';
import type { PaymentKitClient } from '../services/billing/payment-kit/client.js';
import { FAKE_CURRENCY, FAKE_PAY_CURRENCY, type FakePaymentKit } from './fixtures/fake-payment-kit.js';
import { connectPaymentJs, TEST_APP_URL } from './fixtures/payment-js.js';
import { waitFor } from './helpers/gateway.js';
import { bearer, makeTempDir, TEST_ADMIN_KEY } from './helpers/hub.js';

const admin = bearer(TEST_ADMIN_KEY);

describe('the credit payment link in Payment Kit', () => {
  let pk: FakePaymentKit;
  let client: PaymentKitClient;
  const hubs: Hub[] = [];
  const start = async (dataDir: string, env: Record<string, string> = {}) => {
    const config = parseConfig({
      NODE_ENV: 'test',
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: TEST_ADMIN_KEY,
      AIGNE_HUB_WEB_DIR: path.join(dataDir, 'no-web'),
      CREDIT_BASED_BILLING_ENABLED: 'true',
      ...env,
    });
    const hub = await createHub(config, { paymentKit: client, logger: createLogger({ level: 'error' }) });
    hubs.push(hub);
    return { hub, request: supertest(hub.app) };
  };
  const created = (what: string) => pk.requests.filter((r) => r.method === 'POST' && r.path === what).length;

  beforeAll(async () => {
    ({ pk, client } = await connectPaymentJs());
  });
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.close();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await pk?.close();
  });

  it('makes the meter, a credit price and a payment link once, and finds them again after a restart', async () => {
    const dataDir = makeTempDir();
    const first = await start(dataDir);
    // Made sure of at start, without waiting for a user to ask.
    await waitFor(async () => pk.paymentLinks.length === 1);
    const m = await first.request.post('/api/access-keys').set(admin).send({ name: 'Buyer' });
    const auth = bearer(m.body.key);
    // Several users asking at once share the one that was made.
    const infos = await Promise.all(Array.from({ length: 4 }, () => first.request.get('/api/user/info').set(auth)));
    const link = `${TEST_APP_URL}/payment-kit/checkout/pay/${pk.paymentLinks[0]!.id}`;
    for (const info of infos) expect(info.body).toMatchObject({ enableCredit: true, paymentLink: link });

    expect([...pk.meters.values()]).toEqual([expect.objectContaining({ event_name: METER_EVENT_NAME })]);
    expect(pk.products).toEqual([expect.objectContaining({ type: 'credit' })]);
    expect(pk.prices).toEqual([
      expect.objectContaining({ lookup_key: CREDIT_PRICE_KEY, unit_amount: '1', currency_id: FAKE_PAY_CURRENCY, metadata: expect.objectContaining({ credit_config: expect.objectContaining({ currency_id: FAKE_CURRENCY, credit_amount: '1' }) }) }),
    ]);
    expect(pk.paymentLinks).toEqual([expect.objectContaining({ lookup_key: CREDIT_PAYMENT_LINK_KEY, line_items: [expect.objectContaining({ price_id: pk.prices[0]!.id })] })]);

    // Credits come from Payment Kit's grants.
    await first.request.post('/api/credits/grants').set(admin).send({ userDid: m.body.userDid, amount: '3', reason: 'paid' });
    const info = (await first.request.get('/api/user/info').set(auth)).body;
    expect(info.creditBalance).toEqual({ balance: '3', total: '3', grantCount: 1, pendingCredit: '0' });
    expect(info.currency).toMatchObject({ id: FAKE_CURRENCY });
    const grants = (await first.request.get('/api/user/credit/grants').set(auth)).body;
    expect(grants).toMatchObject({ count: 1, list: [{ amount: '3', reason: 'paid', status: 'granted' }] });
    expect((await first.request.get('/api/user/credit/transactions').set(auth)).body).toMatchObject({ count: 1, list: [{ type: 'grant', amount: '3' }] });
    expect((await first.request.get('/api/user/credit/payment-link').set(auth)).body).toBe(link);
    await first.hub.close();

    const second = await start(dataDir);
    expect((await second.request.get('/api/user/info').set(auth)).body.paymentLink).toBe(link);
    expect([created('/api/meters'), created('/api/products'), created('/api/payment-links')]).toEqual([1, 1, 1]);
  });

  it('answers a user who cannot pay with that link, in the 402 and on /api/v2/status', async () => {
    const { request } = await start(makeTempDir());
    const m = await request.post('/api/access-keys').set(admin).send({ name: 'Broke' });
    const auth = bearer(m.body.key);
    const link = (await request.get('/api/user/credit/payment-link').set(auth)).body as string;
    expect(link).toMatch(/\/checkout\/pay\/plink_/);
    expect((await request.get('/api/v2/status?model=openai/gpt-4o-mini').set(auth)).body).toMatchObject({ available: false, code: 402, type: 'insufficient_credits', link });
    const provider = await request.post('/api/ai-providers').set(admin).send({ name: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    await request.post(`/api/ai-providers/${provider.body.id}/credentials`).set(admin).send({ name: 'k', credentialValue: { api_key: 'sk-never-called-000000001' }, validate: false });
    await request.post(`/api/ai-providers/${provider.body.id}/model-rates`).set(admin).send({ model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.001', outputRate: '0.01' });
    const call = await request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(call.status).toBe(402);
    expect(call.body.error).toMatchObject({ type: 'insufficient_credits', link });
  });

  it('makes nothing in Payment Kit with billing off, nor when CREDIT_PAYMENT_LINK names the link', async () => {
    const before = [created('/api/products'), created('/api/payment-links')];
    const off = await start(makeTempDir(), { CREDIT_BASED_BILLING_ENABLED: 'false' });
    const m = await off.request.post('/api/access-keys').set(admin).send({ name: 'Off' });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect((await off.request.get('/api/user/info').set(bearer(m.body.key))).body).toMatchObject({ enableCredit: false, paymentLink: null, creditBalance: null });

    const own = await start(makeTempDir(), { CREDIT_PAYMENT_LINK: 'https://shop.example.com/credits' });
    const n = await own.request.post('/api/access-keys').set(admin).send({ name: 'Own' });
    expect((await own.request.get('/api/user/info').set(bearer(n.body.key))).body.paymentLink).toBe('https://shop.example.com/credits');
    expect([created('/api/products'), created('/api/payment-links')]).toEqual(before);
  });
});
