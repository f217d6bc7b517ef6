/**
 * The real payment-js client in an app without Payment Kit: there is no client (the hub then bills
 * with its embedded ledger). Its own file, as @blocklet/sdk reads the app's components once per
 * process; the client against a Payment Kit is tested by the backend's test files.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { stubEnvWithoutPaymentKit } from '../../../tests/fixtures/payment-js.js';
import { createPaymentJsClient } from './payment-js-client.js';

afterAll(() => {
  vi.unstubAllEnvs();
});

it('is none when Payment Kit is not among the app components', async () => {
  stubEnvWithoutPaymentKit();
  expect(await createPaymentJsClient()).toBeNull();
});
