/**
 * PaymentKitClient over @blocklet/payment-js, which reaches Payment Kit through Blocklet component
 * calls. Loaded only inside Blocklet Server; returns null when Payment Kit is not installed.
 */
import { nullWhenNotFound, PAYMENT_KIT_DID, type PaymentKitClient, type PaymentKitMeter } from './client.js';

type Resource = Record<string, (...args: any[]) => Promise<any>>;
type PaymentJs = Record<string, Resource> & { default?: unknown };
type SdkConfig = { components?: { did: string }[]; env?: { appUrl?: string } };

export async function createPaymentJsClient(): Promise<PaymentKitClient | null> {
  const sdkModule = (await import('@blocklet/sdk/lib/config.js')) as unknown as SdkConfig & { default?: SdkConfig };
  const sdkConfig = sdkModule.components ? sdkModule : (sdkModule.default ?? {});
  const components = sdkConfig.components ?? [];
  if (!components.some((c) => c.did === PAYMENT_KIT_DID)) return null;
  const component = (await import('@blocklet/sdk/lib/component/index.js')) as unknown as { getComponentMountPoint?: (did: string) => string; default?: { getComponentMountPoint: (did: string) => string } };
  const mountPointOf = component.getComponentMountPoint ?? component.default!.getComponentMountPoint;
  const mod = (await import('@blocklet/payment-js')) as unknown as { default: PaymentJs };
  const payment = (mod.default as unknown as { default?: PaymentJs }).default ?? mod.default;
  const r = (name: string) => payment[name]!;
  return {
    retrieveMeter: (idOrEventName) => nullWhenNotFound(r('meters').retrieve!(idOrEventName) as Promise<PaymentKitMeter>),
    createMeter: (data) => r('meters').create!(data),
    createMeterEvent: (data) => r('meterEvents').create!(data),
    creditSummary: (customerId) => r('creditGrants').summary!({ customer_id: customerId }),
    pendingAmount: (customerId) => r('meterEvents').pendingAmount!({ customer_id: customerId }),
    createCreditGrant: (data) => r('creditGrants').create!(data),
    listCreditTransactions: (params) => r('creditTransactions').list!(params),
    listCreditGrants: (params) => r('creditGrants').list!(params),
    retrievePrice: (id) => nullWhenNotFound(r('prices').retrieve!(id)),
    listPaymentCurrencies: () => r('paymentCurrencies').list!({}),
    createProduct: (data) => r('products').create!(data),
    retrievePaymentLink: (id) => nullWhenNotFound(r('paymentLinks').retrieve!(id)),
    createPaymentLink: (data) => r('paymentLinks').create!(data),
    checkoutUrl: (id) => {
      // The app's public URL and Payment Kit's mount point, as Payment Kit's own checkout pages live there.
      const base = `${(sdkConfig.env?.appUrl ?? '').replace(/\/+$/, '')}/${mountPointOf(PAYMENT_KIT_DID).replace(/^\/+|\/+$/g, '')}`;
      return `${base.replace(/\/+$/, '')}/checkout/pay/${encodeURIComponent(id)}`;
    },
  };
}
