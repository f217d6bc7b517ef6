/**
 * Providers' official prices, from the table `@pydantic/genai-prices` ships (MIT; its data is bundled
 * in the package, so the hub never fetches it). Prices are read into exact decimal strings in USD:
 * per 1M tokens, per second (from the table's per-hour audio prices). The table is imported on
 * first use only (it is ~0.8 MB of JavaScript).
 */
import { Decimal, normalizeDecimal } from '../../lib/decimal.js';
import type { RateType } from '../../store/models/ai-model-rate.js';

/** Where the prices come from; `date` is the release date of that version of the table. */
export const PRICE_TABLE_SOURCE = Object.freeze({
  name: '@pydantic/genai-prices',
  version: '0.1.8',
  license: 'MIT',
  date: '2026-09-23',
  url: 'https://github.com/pydantic/genai-prices',
});

/** The hub's provider ids → the table's. Providers the table does not price are absent. */
export const TABLE_PROVIDER: Readonly<Record<string, string>> = Object.freeze({
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  deepseek: 'deepseek',
  xai: 'x-ai',
  openrouter: 'openrouter',
  bedrock: 'aws',
});

export type CatalogModelType = RateType | 'audio' | 'other';

/** One model's prices in USD as decimal strings (null: the table has no such price). */
export interface TablePrice {
  model: string;
  /** The table's own id of the model (differs from `model` for dated or aliased names). */
  tableModel: string;
  name: string | null;
  type: CatalogModelType;
  inputPer1M: string | null;
  outputPer1M: string | null;
  cacheReadPer1M: string | null;
  cacheWritePer1M: string | null;
  /** The table prices no model by the image: always null from this source. */
  perImage: string | null;
  perSecond: string | null;
  /** Long-context tiers exist: the prices given are the base tier's. */
  tiered: boolean;
  deprecated: boolean;
  contextWindow: number | null;
}

type Tiered = { base: number; tiers: { start: number; price: number }[] };
type PriceValue = number | Tiered | undefined;
type ModelPrice = Record<string, PriceValue>;
type Conditional = { constraint?: { type: 'start_date'; start_date: string } | { type: 'time_of_date' }; prices: ModelPrice };
interface TableModel {
  id: string;
  name?: string;
  deprecated?: boolean;
  context_window?: number;
  prices: ModelPrice | Conditional[];
}
interface TableModule {
  findProvider(o: { providerId: string }): { id: string; models: TableModel[] } | undefined;
  calcPrice(usage: Record<string, number>, model: string, o: { providerId: string }): { model: TableModel } | null;
}

let table: Promise<TableModule> | undefined;
const loadTable = () => (table ??= import('@pydantic/genai-prices') as unknown as Promise<TableModule>);

const base = (v: PriceValue): number | undefined => (typeof v === 'object' && v ? v.base : v);

/**
 * The prices in force now: the latest entry whose start date has passed (else the unconditional
 * one). Prices that vary by time of day count at their highest, so that a rate built on them is
 * never below cost at any hour.
 */
export function pricesInForce(prices: TableModel['prices'], now = new Date()): ModelPrice {
  if (!Array.isArray(prices)) return prices;
  let chosen: ModelPrice = prices.find((p) => !p.constraint)?.prices ?? {};
  let chosenStart = '';
  for (const p of prices) {
    if (p.constraint?.type !== 'start_date') continue;
    const start = p.constraint.start_date;
    if (new Date(start).getTime() <= now.getTime() && start >= chosenStart) {
      chosen = p.prices;
      chosenStart = start;
    }
  }
  const out: ModelPrice = { ...chosen };
  for (const p of prices) {
    if (p.constraint?.type !== 'time_of_date') continue;
    for (const [key, value] of Object.entries(p.prices)) {
      const a = base(out[key]);
      const b = base(value);
      if (b !== undefined && (a === undefined || b > a)) out[key] = value;
    }
  }
  return out;
}

const dec = (v: PriceValue): string | null => {
  const b = base(v);
  return b === undefined ? null : normalizeDecimal(b);
};

function typeOf(id: string, p: ModelPrice): CatalogModelType {
  const has = (k: string) => base(p[k]) !== undefined;
  if (/embed/i.test(id)) return 'embedding';
  if (has('output_image_mtok') || /(^|[-/.])(image|dall-e|imagen)/i.test(id)) return 'imageGeneration';
  if ((has('audio_hours') || has('input_audio_hours')) && !has('output_mtok')) return 'audio';
  if (has('input_mtok') && has('output_mtok')) return 'chatCompletion';
  if (has('input_mtok')) return 'embedding';
  return 'other';
}

export function toTablePrice(m: TableModel, now = new Date()): TablePrice {
  const p = pricesInForce(m.prices, now);
  const hours = base(p.audio_hours) ?? base(p.input_audio_hours);
  return {
    model: m.id,
    tableModel: m.id,
    name: m.name ?? null,
    type: typeOf(m.id, p),
    inputPer1M: dec(p.input_mtok),
    outputPer1M: dec(p.output_mtok),
    cacheReadPer1M: dec(p.cache_read_mtok),
    cacheWritePer1M: dec(p.cache_write_mtok),
    perImage: null,
    // Per hour → per second: kept to 12 significant digits when the division does not end.
    perSecond: hours === undefined ? null : new Decimal(normalizeDecimal(hours)!).dividedBy(3600).toSignificantDigits(12).toFixed(),
    tiered: Object.values(p).some((v) => typeof v === 'object' && v !== null),
    deprecated: Boolean(m.deprecated),
    contextWindow: m.context_window ?? null,
  };
}

/** Every model the table prices for a hub provider (empty when the table does not know it). */
export async function tablePrices(hubProvider: string, now = new Date()): Promise<TablePrice[]> {
  const id = TABLE_PROVIDER[hubProvider];
  if (!id) return [];
  const provider = (await loadTable()).findProvider({ providerId: id });
  return (provider?.models ?? []).map((m) => toTablePrice(m, now)).sort((a, b) => a.model.localeCompare(b.model));
}

/**
 * The table's price for a model name as a provider calls it (dated or aliased names included, by
 * the table's own matching rules), or null when the table has none.
 */
export async function tablePriceFor(hubProvider: string, model: string, now = new Date()): Promise<TablePrice | null> {
  const id = TABLE_PROVIDER[hubProvider];
  if (!id) return null;
  const found = (await loadTable()).calcPrice({ input_tokens: 0 }, model, { providerId: id });
  return found ? { ...toTablePrice(found.model, now), model } : null;
}
