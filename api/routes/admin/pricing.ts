/** API.md §15 (admin): the price table, importing rates from it, and the rate check. */
import { Router } from 'express';
import { z } from 'zod/v4';
import type { Config } from '../../config.js';
import { BadRequestError } from '../../errors.js';
import { requireRole } from '../../middlewares/auth.js';
import { parseQuery, validateBody } from '../../middlewares/validate.js';
import type { Models } from '../../store/models/index.js';
import type { ProviderAdminService } from '../../services/providers/admin.js';
import { PRICE_TABLE_SOURCE, TABLE_PROVIDER, tablePrices } from '../../services/pricing/price-table.js';
import { runRateCheck } from '../../services/pricing/rate-check.js';
import { boundedDecimal } from '../../services/pricing/rate-arithmetic.js';
import type { PriceCatalogAnswer, RateCheckAnswer, RateImportBody } from '../../wire/pricing.js';

const decimalText = z.union([z.string().max(40), z.number()]).transform(String);
const importBody = z
  .object({
    models: z.union([z.literal('all'), z.array(z.string().trim().min(1).max(200)).min(1).max(1000)]),
    margin: decimalText.optional(),
    creditsPerUsd: decimalText.optional(),
  })
  .strict() satisfies z.ZodType<RateImportBody, unknown>;

const catalogQuery = z.object({ provider: z.string().max(200).optional() }).passthrough();
const checkQuery = z.object({ provider: z.string().max(200).optional(), creditsPerUsd: z.string().max(40).optional() }).passthrough();

export interface PricingRouteDeps {
  config: Config;
  models: Models;
  providerAdmin: ProviderAdminService;
  /** Told of every rate check (rate.below_cost notifications). */
  onRateCheck?: (answer: RateCheckAnswer, checked: string[]) => void;
}

export function pricingAdminRoutes(deps: PricingRouteDeps): Router {
  const r = Router();
  r.use(requireRole('admin'));

  /** A provider named by its registry id (`openai`) or its row id. */
  const providerName = async (value: string): Promise<string> => {
    if (TABLE_PROVIDER[value]) return value;
    const row = await deps.models.AiProvider.findByPk(value);
    if (row) return row.name;
    throw new BadRequestError(`The price table has no provider '${value}'; it prices ${Object.keys(TABLE_PROVIDER).join(', ')}`, { code: 'not_in_price_table' });
  };

  r.get('/price-catalog', async (req, res) => {
    const { provider } = parseQuery(catalogQuery, req.query);
    const names = provider ? [await providerName(provider)] : Object.keys(TABLE_PROVIDER);
    const providers = [];
    for (const name of names) providers.push({ provider: name, models: await tablePrices(name) });
    res.json({ source: PRICE_TABLE_SOURCE, currency: 'USD', date: PRICE_TABLE_SOURCE.date, providers } satisfies PriceCatalogAnswer);
  });

  r.post('/:id/model-rates/import', validateBody(importBody), async (req, res) => {
    res.json(await deps.providerAdmin.importRates(String(req.params.id), req.body as RateImportBody, { creditsPerUsd: deps.config.pricing.creditsPerUsd }));
  });

  r.get('/rate-check', async (req, res) => {
    const q = parseQuery(checkQuery, req.query);
    const creditsPerUsd = boundedDecimal(q.creditsPerUsd ?? deps.config.pricing.creditsPerUsd);
    if (creditsPerUsd === null || Number(creditsPerUsd) === 0) throw new BadRequestError('creditsPerUsd must be a positive decimal of at most 20 digits');
    let providerId: string | undefined;
    if (q.provider) {
      const row = (await deps.models.AiProvider.findByPk(q.provider)) ?? (await deps.models.AiProvider.findOne({ where: { name: q.provider } }));
      if (!row) throw new BadRequestError(`Unknown provider '${q.provider}'`);
      providerId = row.id;
    }
    const { answer, checked } = await runRateCheck(deps.models, { creditsPerUsd, driftPercent: deps.config.pricing.driftPercent, providerId });
    deps.onRateCheck?.(answer, checked);
    res.json(answer);
  });
  return r;
}
