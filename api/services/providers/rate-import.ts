/**
 * Rates from the price table: for each model asked for (or every current chat and embedding model
 * the table prices for the provider), a rate of price × (1 + margin) × creditsPerUsd, created or
 * updated in one transaction, with the table's cost kept in `unitCosts` (USD per token).
 */
import { BadRequestError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { AiModelRate, RateType } from '../../store/models/ai-model-rate.js';
import type { RateImportAnswer, RateImportBody } from '../../wire/pricing.js';
import { PRICE_TABLE_SOURCE, TABLE_PROVIDER, tablePriceFor, tablePrices, type TablePrice } from '../pricing/price-table.js';
import { boundedDecimal, costPerToken, rateFromPrice } from '../pricing/rate-arithmetic.js';
import { findProvider, type AdminContext } from './providers.js';
import { toRateView } from './views.js';

const RATE_COLUMN_LIMIT = 64;

/** The rate fields a table price gives, or why it gives none. */
export function ratesFor(price: TablePrice, margin: string, creditsPerUsd: string): { type: RateType; fields: Pick<AiModelRate, 'inputRate' | 'outputRate' | 'cacheReadRate' | 'cacheWriteRate' | 'unitCosts'> } | { skip: string } {
  if (price.type !== 'chatCompletion' && price.type !== 'embedding') {
    const why: Record<string, string> = {
      imageGeneration: 'the table prices this image model by the token; the hub bills images by the image',
      audio: 'the table prices this model by the second of audio; the hub has no such rate type',
    };
    return { skip: why[price.type] ?? 'the table gives no token prices for this model' };
  }
  if (price.inputPer1M === null || (price.type === 'chatCompletion' && price.outputPer1M === null)) return { skip: 'the table gives no input or output price' };
  const rate = (p: string | null) => (p === null ? null : rateFromPrice(p, margin, creditsPerUsd));
  const output = price.outputPer1M ?? '0';
  const fields = {
    inputRate: rate(price.inputPer1M)!,
    outputRate: rate(output)!,
    cacheReadRate: rate(price.cacheReadPer1M),
    cacheWriteRate: rate(price.cacheWritePer1M),
    unitCosts: { input: costPerToken(price.inputPer1M), output: costPerToken(output) },
  };
  if (Object.values(fields).some((v) => typeof v === 'string' && v.length > RATE_COLUMN_LIMIT)) return { skip: 'the rate needs more digits than a rate may hold' };
  return { type: price.type, fields };
}

export interface RateImportService {
  importRates(providerId: string, body: RateImportBody, defaults: { creditsPerUsd: string }): Promise<RateImportAnswer>;
}

export function createRateImportService({ models, onChange }: AdminContext): RateImportService {
  return {
    async importRates(providerId, body, defaults) {
      const provider = await findProvider(models, providerId);
      if (!TABLE_PROVIDER[provider.name]) throw new BadRequestError(`The price table has no prices for ${provider.displayName}`, { code: 'not_in_price_table' });
      const margin = boundedDecimal(body.margin ?? '0');
      if (margin === null) throw new BadRequestError('margin must be a non-negative decimal string of at most 20 digits, e.g. "0.2" for 20 %');
      const creditsPerUsd = boundedDecimal(body.creditsPerUsd ?? defaults.creditsPerUsd);
      if (creditsPerUsd === null || Number(creditsPerUsd) === 0) throw new BadRequestError('creditsPerUsd must be a positive decimal string of at most 20 digits');

      const answer: RateImportAnswer = { source: PRICE_TABLE_SOURCE, margin, creditsPerUsd, created: [], updated: [], unchanged: [], skipped: [] };
      let prices: TablePrice[];
      if (body.models === 'all') {
        prices = (await tablePrices(provider.name)).filter((p) => !p.deprecated && (p.type === 'chatCompletion' || p.type === 'embedding'));
      } else {
        prices = [];
        for (const model of new Set(body.models.map((m) => m.trim()))) {
          const price = await tablePriceFor(provider.name, model);
          if (price) prices.push(price);
          else answer.skipped.push({ model, reason: 'not in the price table' });
        }
      }

      const existing = await models.AiModelRate.findAll({ where: { providerId } });
      const byKey = new Map(existing.map((r) => [`${r.type}:${r.model}`, r]));
      await models.AiModelRate.sequelize!.transaction(async (transaction) => {
        for (const price of prices) {
          const planned = ratesFor(price, margin, creditsPerUsd);
          if ('skip' in planned) {
            answer.skipped.push({ model: price.model, reason: planned.skip });
            continue;
          }
          const row = byKey.get(`${planned.type}:${price.model}`);
          if (!row) {
            const created = await models.AiModelRate.create(
              { id: newId(), providerId, model: price.model, type: planned.type, ...planned.fields, modelMetadata: null },
              { transaction },
            );
            answer.created.push(toRateView(created));
            continue;
          }
          const same = (Object.keys(planned.fields) as (keyof typeof planned.fields)[]).every((k) => JSON.stringify(row[k]) === JSON.stringify(planned.fields[k]));
          if (same) {
            answer.unchanged.push(price.model);
            continue;
          }
          const previous = { inputRate: row.inputRate, outputRate: row.outputRate };
          await row.update(planned.fields, { transaction });
          answer.updated.push({ rate: toRateView(row), previous });
        }
      });
      if (answer.created.length || answer.updated.length) onChange();
      return answer;
    },
  };
}
