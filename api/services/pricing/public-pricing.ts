/** The public price list: every model an enabled provider serves, in credits per 1M tokens, per image or per second. */
import type { PublicPrice } from '../../wire/pricing.js';
import type { RoutingTable } from '../gateway/routing.js';
import { per1M } from './rate-arithmetic.js';

const TYPE = { chatCompletion: 'chat', embedding: 'embedding', imageGeneration: 'image', audio: 'audio', video: 'video' } as const;

export async function publicPrices(routing: RoutingTable): Promise<PublicPrice[]> {
  const snap = await routing.current();
  const out: PublicPrice[] = [];
  for (const p of snap.providers) {
    if (!p.enabled) continue;
    for (const rate of p.rates.values()) {
      // Media rates are per unit, not per token (API.md §12): images by their output rate, audio
      // seconds by the input rate, video seconds by the output rate.
      const tokens = rate.type === 'chatCompletion' || rate.type === 'embedding';
      const entry: PublicPrice = {
        model: rate.model,
        type: TYPE[rate.type],
        provider: p.name,
        providerDisplayName: p.displayName,
        inputCreditsPer1M: rate.type === 'video' || rate.type === 'audio' ? '0' : per1M(rate.inputRate),
        outputCreditsPer1M: tokens ? per1M(rate.outputRate) : '0',
      };
      if (rate.type === 'imageGeneration') entry.creditsPerImage = rate.outputRate;
      if (rate.type === 'audio') entry.creditsPerSecond = rate.inputRate;
      if (rate.type === 'video') entry.creditsPerSecond = rate.outputRate;
      out.push(entry);
    }
  }
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.type.localeCompare(b.type) || a.model.localeCompare(b.model));
}
