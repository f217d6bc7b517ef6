/** API.md §15: the price table, rates imported from it, the rate check, and the public price list. */
import type { RateType, RateView } from './providers.js';

/** Which maintained table the prices come from. */
export interface PriceTableSource {
  name: string;
  version: string;
  license: string;
  /** Release date of that version of the table (YYYY-MM-DD). */
  date: string;
  url: string;
}

export type CatalogModelType = RateType | 'audio' | 'other';

/** One model's official prices in USD, as decimal strings (null: the table has none). */
export interface CatalogPrice {
  model: string;
  name: string | null;
  type: CatalogModelType;
  inputPer1M: string | null;
  outputPer1M: string | null;
  cacheReadPer1M: string | null;
  cacheWritePer1M: string | null;
  perImage: string | null;
  perSecond: string | null;
  /** Prices rise above a context length; these are the base tier's. */
  tiered: boolean;
  deprecated: boolean;
  contextWindow: number | null;
}

/** `GET /api/ai-providers/price-catalog?provider=` */
export interface PriceCatalogAnswer {
  source: PriceTableSource;
  currency: 'USD';
  date: string;
  providers: { provider: string; models: CatalogPrice[] }[];
}

/** `POST /api/ai-providers/:id/model-rates/import` */
export interface RateImportBody {
  models: string[] | 'all';
  /** On top of the cost: "0.2" is 20 %. Default "0". */
  margin?: string;
  /** Credits one US dollar buys. Default: the hub's CREDITS_PER_USD (1). */
  creditsPerUsd?: string;
}

export interface RateImportAnswer {
  source: PriceTableSource;
  margin: string;
  creditsPerUsd: string;
  created: RateView[];
  updated: { rate: RateView; previous: { inputRate: string; outputRate: string } }[];
  unchanged: string[];
  skipped: { model: string; reason: string }[];
}

export type RateFlag = 'below_cost' | 'drift';
export type RateSide = 'input' | 'output' | 'cacheRead' | 'cacheWrite';

export interface RateSideCheck {
  side: RateSide;
  /** Credits per token the hub charges. */
  rate: string;
  /** Credits per token the table's price costs the hub. */
  cost: string;
  /** The table's price, USD per 1M tokens. */
  pricePer1M: string;
  marginPercent: string | null;
  flags: RateFlag[];
}

export interface RateCheckItem {
  rateId: string;
  providerId: string;
  provider: string;
  model: string;
  type: RateType;
  /** The table's model the rate was matched with. */
  tableModel: string;
  flags: RateFlag[];
  sides: RateSideCheck[];
}

/** `GET /api/ai-providers/rate-check` */
export interface RateCheckAnswer {
  source: PriceTableSource;
  creditsPerUsd: string;
  driftPercent: number;
  checked: number;
  flagged: RateCheckItem[];
  /** Rates the table has no price for (not checked). */
  unpriced: { rateId: string; providerId: string; provider: string; model: string; type: RateType }[];
}

/** `GET /api/pricing` (public unless PUBLIC_PRICING=false): one entry per served model. */
export interface PublicPrice {
  model: string;
  type: 'chat' | 'embedding' | 'image' | 'audio' | 'video';
  provider: string;
  providerDisplayName: string;
  inputCreditsPer1M: string;
  outputCreditsPer1M: string;
  creditsPerImage?: string;
  creditsPerSecond?: string;
}
