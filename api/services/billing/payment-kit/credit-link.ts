/**
 * The payment link where users buy credits in Payment Kit (API.md §13): a credit product whose price
 * gives one credit of the meter's currency per unit, and a payment link to it with an adjustable
 * quantity. Found by the lookup keys AIGNE Hub uses, so an app that ran AIGNE Hub keeps its price
 * and link, and created only when missing.
 */
import type { Logger } from '../../../lib/logger.js';
import type { PaymentKitClient, PaymentKitMeter, PaymentKitPrice } from './client.js';

export const CREDIT_PRICE_KEY = 'DEFAULT_CREDIT_UNIT_PRICE';
export const CREDIT_PAYMENT_LINK_KEY = 'DEFAULT_CREDIT_PAYMENT_LINK';
const PRODUCT_NAME = 'Basic AIGNE Hub Credit Packs';

async function ensureCreditPrice(client: PaymentKitClient, meter: PaymentKitMeter, logger: Logger): Promise<PaymentKitPrice> {
  const existing = await client.retrievePrice(CREDIT_PRICE_KEY);
  if (existing) return existing;
  const currencies = await client.listPaymentCurrencies();
  if (!currencies.length) throw new Error('Payment Kit has no payment currency to sell credits in');
  logger.info('creating the credit price in Payment Kit', { lookupKey: CREDIT_PRICE_KEY });
  await client.createProduct({
    name: PRODUCT_NAME,
    description: `A pack of ${meter.unit}: pay to get more credits for AIGNE Hub.`,
    type: 'credit',
    prices: [
      {
        type: 'one_time',
        unit_amount: '1',
        currency_id: currencies[0]!.id,
        currency_options: currencies.map((c) => ({ currency_id: c.id, unit_amount: '1' })),
        lookup_key: CREDIT_PRICE_KEY,
        nickname: 'Per Unit Credit For AIGNE Hub',
        metadata: {
          credit_config: { priority: 50, valid_duration_value: 0, valid_duration_unit: 'days', currency_id: meter.currency_id, credit_amount: '1' },
          meter_id: meter.id,
        },
      },
    ],
  });
  const created = await client.retrievePrice(CREDIT_PRICE_KEY);
  if (!created) throw new Error(`Payment Kit did not keep the price ${CREDIT_PRICE_KEY}`);
  return created;
}

/** The checkout URL of the credit payment link, creating the price and the link when missing. */
export async function ensureCreditPaymentLink(client: PaymentKitClient, meter: PaymentKitMeter, logger: Logger): Promise<string> {
  const price = await ensureCreditPrice(client, meter, logger);
  let link = await client.retrievePaymentLink(CREDIT_PAYMENT_LINK_KEY);
  if (!link) {
    logger.info('creating the credit payment link in Payment Kit', { lookupKey: CREDIT_PAYMENT_LINK_KEY });
    link = await client.createPaymentLink({
      name: price.product?.name ?? PRODUCT_NAME,
      lookup_key: CREDIT_PAYMENT_LINK_KEY,
      line_items: [{ price_id: price.id, quantity: 1, adjustable_quantity: { enabled: true, minimum: 1, maximum: 100_000_000 } }],
    });
  }
  return client.checkoutUrl(link.id);
}
