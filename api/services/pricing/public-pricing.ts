/** The public price list: every model an enabled provider serves, in credits per 1M tokens or per image. */
import type { PublicPrice } from '../../wire/pricing.js';
import type { RoutingTable } from '../gateway/routing.js';
import { per1M } from './rate-arithmetic.js';

const TYPE = { chatCompletion: 'chat', embedding: 'embedding', imageGeneration: 'image' } as const;

export async function publicPrices(routing: RoutingTable): Promise<PublicPrice[]> {
  const snap = await routing.current();
  const out: PublicPrice[] = [];
  for (const p of snap.providers) {
    if (!p.enabled) continue;
    for (const rate of p.rates.values()) {
      const entry: PublicPrice = {
        model: rate.model,
        type: TYPE[rate.type],
        provider: p.name,
        providerDisplayName: p.displayName,
        inputCreditsPer1M: per1M(rate.inputRate),
        // An image model's output rate is per image: its output tokens cost nothing.
        outputCreditsPer1M: rate.type === 'imageGeneration' ? '0' : per1M(rate.outputRate),
      };
      if (rate.type === 'imageGeneration') entry.creditsPerImage = rate.outputRate;
      out.push(entry);
    }
  }
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.type.localeCompare(b.type) || a.model.localeCompare(b.model));
}
