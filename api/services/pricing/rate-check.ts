/**
 * The rate check: every token rate against the price table. A side (input, output, cached reads,
 * cache writes) is `below_cost` when the hub charges less than the table's price costs it, and
 * `drift` when the cost the rate was built on (`unitCosts`, kept by imports) is more than
 * RATE_DRIFT_PERCENT away from the table's price now; a rate without `unitCosts` drifts when the
 * rate itself is that far from the cost.
 */
import type { Models } from '../../store/models/index.js';
import type { AiModelRate } from '../../store/models/ai-model-rate.js';
import type { RateCheckAnswer, RateCheckItem, RateFlag, RateSide, RateSideCheck } from '../../wire/pricing.js';
import { PRICE_TABLE_SOURCE, tablePriceFor, type TablePrice } from './price-table.js';
import { costInCredits, costPerToken, driftsBeyond, isBelow, marginPercent } from './rate-arithmetic.js';

export interface RateCheckOptions {
  creditsPerUsd: string;
  driftPercent: number;
  /** Only this provider's rates. */
  providerId?: string;
}

function sideCheck(side: RateSide, rate: string, pricePer1M: string | null, basis: string | undefined, o: RateCheckOptions): RateSideCheck | null {
  if (pricePer1M === null) return null;
  const cost = costInCredits(pricePer1M, o.creditsPerUsd);
  const flags: RateFlag[] = [];
  if (isBelow(rate, cost)) flags.push('below_cost');
  const drifted = basis !== undefined ? driftsBeyond(costPerToken(pricePer1M), basis, o.driftPercent) : driftsBeyond(rate, cost, o.driftPercent);
  if (drifted) flags.push('drift');
  return { side, rate, cost, pricePer1M, marginPercent: marginPercent(rate, cost), flags };
}

/** The check of one rate against its table price (cached tokens are charged at the input rate unless the rate has its own). */
export function checkRate(rate: Pick<AiModelRate, 'inputRate' | 'outputRate' | 'cacheReadRate' | 'cacheWriteRate' | 'unitCosts'>, price: TablePrice, o: RateCheckOptions): RateSideCheck[] {
  const sides = [
    sideCheck('input', rate.inputRate, price.inputPer1M, rate.unitCosts?.input, o),
    sideCheck('output', rate.outputRate, price.outputPer1M, rate.unitCosts?.output, o),
    sideCheck('cacheRead', rate.cacheReadRate ?? rate.inputRate, price.cacheReadPer1M, undefined, o),
    sideCheck('cacheWrite', rate.cacheWriteRate ?? rate.inputRate, price.cacheWritePer1M, undefined, o),
  ];
  const own: Record<RateSide, string | null> = { input: rate.inputRate, output: rate.outputRate, cacheRead: rate.cacheReadRate, cacheWrite: rate.cacheWriteRate };
  const out: RateSideCheck[] = [];
  for (const s of sides) {
    if (!s) continue;
    if (own[s.side] !== null) out.push(s);
    // Cached tokens charged at the input rate: only their being sold below cost matters.
    else if (s.flags.includes('below_cost')) out.push({ ...s, flags: ['below_cost'] });
  }
  return out;
}

/** The check, and the ids of the rates it compared (for re-arming their notifications). */
export async function runRateCheck(models: Pick<Models, 'AiModelRate' | 'AiProvider'>, o: RateCheckOptions): Promise<{ answer: RateCheckAnswer; checked: string[] }> {
  const providers = await models.AiProvider.findAll(o.providerId ? { where: { id: o.providerId } } : {});
  const names = new Map(providers.map((p) => [p.id, p.name]));
  const rates = await models.AiModelRate.findAll({ where: { providerId: [...names.keys()] }, order: [['model', 'ASC']] });
  const checked: string[] = [];
  const answer: RateCheckAnswer = { source: PRICE_TABLE_SOURCE, creditsPerUsd: o.creditsPerUsd, driftPercent: o.driftPercent, checked: 0, flagged: [], unpriced: [] };
  for (const rate of rates) {
    const provider = names.get(rate.providerId)!;
    const ref = { rateId: rate.id, providerId: rate.providerId, provider, model: rate.model, type: rate.type };
    const price = rate.type === 'imageGeneration' ? null : await tablePriceFor(provider, rate.model);
    if (!price || (price.type !== 'chatCompletion' && price.type !== 'embedding')) {
      answer.unpriced.push(ref);
      continue;
    }
    answer.checked += 1;
    checked.push(rate.id);
    const sides = checkRate(rate, price, o);
    const flags = [...new Set(sides.flatMap((s) => s.flags))];
    if (flags.length) answer.flagged.push({ ...ref, tableModel: price.tableModel, flags, sides } satisfies RateCheckItem);
  }
  return { answer, checked };
}
