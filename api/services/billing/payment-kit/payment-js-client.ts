/**
 * PaymentKitClient over @blocklet/payment-js, which reaches Payment Kit through Blocklet component
 * calls. Loaded only inside Blocklet Server; returns null when Payment Kit is not installed.
 */
import { isNotFoundError, PAYMENT_KIT_DID, type PaymentKitClient, type PaymentKitMeter } from './client.js';

type Resource = Record<string, (...args: any[]) => Promise<any>>;
type PaymentJs = Record<string, Resource> & { default?: unknown };

export async function createPaymentJsClient(): Promise<PaymentKitClient | null> {
  const sdkConfig = (await import('@blocklet/sdk/lib/config.js')) as unknown as { components?: { did: string }[]; default?: { components?: { did: string }[] } };
  const components = sdkConfig.components ?? sdkConfig.default?.components ?? [];
  if (!components.some((c) => c.did === PAYMENT_KIT_DID)) return null;
  const mod = (await import('@blocklet/payment-js')) as unknown as { default: PaymentJs };
  const payment = (mod.default as unknown as { default?: PaymentJs }).default ?? mod.default;
  const r = (name: string) => payment[name]!;
  return {
    async retrieveMeter(idOrEventName) {
      try {
        return (await r('meters').retrieve!(idOrEventName)) as PaymentKitMeter;
      } catch (err) {
        if (isNotFoundError(err)) return null;
        throw err;
      }
    },
    createMeter: (data) => r('meters').create!(data),
    createMeterEvent: (data) => r('meterEvents').create!(data),
    creditSummary: (customerId) => r('creditGrants').summary!({ customer_id: customerId }),
    pendingAmount: (customerId) => r('meterEvents').pendingAmount!({ customer_id: customerId }),
    createCreditGrant: (data) => r('creditGrants').create!(data),
    listCreditTransactions: (params) => r('creditTransactions').list!(params),
  };
}
