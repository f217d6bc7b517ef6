/**
 * The real payment-js client with Payment Kit mounted at the app's root: its checkout pages are
 * right under the app's URL. Its own file, as @blocklet/sdk reads the app's components once per
 * process.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { FakePaymentKit } from '../../../tests/fixtures/fake-payment-kit.js';
import { paymentJsClient, startPaymentJsKit, TEST_APP_URL } from '../../../tests/fixtures/payment-js.js';

let pk: FakePaymentKit;

beforeAll(async () => {
  pk = await startPaymentJsKit({ mountPoint: '/' });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pk?.close();
});

it("checks out under the app's URL when Payment Kit is mounted at its root", async () => {
  const client = await paymentJsClient();
  expect(client.checkoutUrl('plink_1')).toBe(`${TEST_APP_URL}/checkout/pay/plink_1`);
});
