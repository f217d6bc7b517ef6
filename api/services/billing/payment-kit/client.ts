/**
 * The few Payment Kit calls the hub makes, behind one small interface, implemented over
 * @blocklet/payment-js (payment-js-client.ts). Tests run that client against a fake Payment Kit
 * that speaks the same API paths (`/api/meters`, `/api/meter-events`, `/api/credit-grants`, …).
 */
export const PAYMENT_KIT_DID = 'z2qaCNvKMv5GjouKdcDWexv6WqtHbpNPQDnAk';

export interface PaymentKitMeter {
  id: string;
  event_name: string;
  unit: string;
  /** The credit currency that grants and meter events of this meter use. */
  currency_id?: string;
  /** That currency (Payment Kit expands it on retrieval). */
  paymentCurrency?: Record<string, unknown>;
}

export interface PaymentKitPrice {
  id: string;
  lookup_key?: string;
  product?: { id?: string; name?: string };
}

export interface PaymentKitPaymentLink {
  id: string;
  lookup_key?: string;
}

export interface PaymentKitCreditSummaryEntry {
  totalAmount?: string;
  remainingAmount: string;
  grantCount?: number;
}

export interface PaymentKitCreditGrant {
  id: string;
  amount: string;
  remaining_amount?: string;
  status?: string;
  customer_id?: string;
  expires_at?: number | null;
  created_at?: string;
  name?: string;
}

export interface PaymentKitCreditTransaction {
  id: string;
  type: string;
  amount: string;
  running_balance?: string;
  description?: string;
  meter_event_id?: string;
  credit_grant_id?: string;
  created_at: string;
  metadata?: Record<string, unknown>;
}

export interface CreateMeterEvent {
  event_name: string;
  payload: { customer_id: string; value: string };
  /** Idempotency key: Payment Kit records one event per identifier. */
  identifier: string;
  timestamp: number;
  metadata?: Record<string, unknown>;
}

export interface PaymentKitClient {
  /** The meter by id or event name, or null when there is none. */
  retrieveMeter(idOrEventName: string): Promise<PaymentKitMeter | null>;
  createMeter(data: { name: string; event_name: string; unit: string; aggregation_method: 'sum'; description?: string }): Promise<PaymentKitMeter>;
  createMeterEvent(data: CreateMeterEvent): Promise<{ id: string }>;
  /** Remaining credits per currency id. */
  creditSummary(customerId: string): Promise<Record<string, PaymentKitCreditSummaryEntry>>;
  /** Reported usage not yet deducted, per currency id. */
  pendingAmount(customerId: string): Promise<Record<string, string>>;
  createCreditGrant(data: {
    amount: string;
    currency_id: string;
    customer_id: string;
    name?: string;
    category: 'paid' | 'promotional';
    expires_at?: number;
    metadata?: Record<string, unknown>;
  }): Promise<PaymentKitCreditGrant>;
  listCreditTransactions(params: { customer_id: string; meter_id?: string; page: number; pageSize: number }): Promise<{ count: number; list: PaymentKitCreditTransaction[] }>;
  listCreditGrants(params: { customer_id: string; currency_id?: string; page: number; pageSize: number }): Promise<{ count: number; list: PaymentKitCreditGrant[] }>;
  /** The price by id or lookup key, or null when there is none. */
  retrievePrice(idOrLookupKey: string): Promise<PaymentKitPrice | null>;
  listPaymentCurrencies(): Promise<{ id: string; symbol?: string; name?: string }[]>;
  /** A product with its prices (`type: 'credit'` for credit packs). */
  createProduct(data: Record<string, unknown>): Promise<{ id: string }>;
  /** The payment link by id or lookup key, or null when there is none. */
  retrievePaymentLink(idOrLookupKey: string): Promise<PaymentKitPaymentLink | null>;
  createPaymentLink(data: Record<string, unknown>): Promise<PaymentKitPaymentLink>;
  /** Where a browser pays through that link. */
  checkoutUrl(paymentLinkId: string): string;
}

/** Payment Kit answered that an event with this identifier exists: it was delivered before. */
export function isDuplicateEventError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  const body = (err as { response?: { data?: unknown } })?.response?.data;
  // A text body is searched quoted, which the words below match all the same.
  const text = `${message} ${JSON.stringify(body ?? '')}`;
  return /identifier/i.test(text) && /(already exists|duplicate)/i.test(text);
}

export function isNotFoundError(err: unknown): boolean {
  const status = (err as { status?: number; response?: { status?: number } })?.response?.status ?? (err as { status?: number })?.status;
  if (status === 404) return true;
  return /not found/i.test(err instanceof Error ? err.message : String(err));
}

/** The answer, or null when Payment Kit says there is no such thing (other failures are thrown). */
export async function nullWhenNotFound<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isNotFoundError(err)) return null;
    throw err;
  }
}
