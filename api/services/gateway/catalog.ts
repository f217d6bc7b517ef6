/** What the hub serves: models from the configured rates, with availability. */
import type { RateType } from '../../store/models/ai-model-rate.js';
import { isEligible } from './credential-pool.js';
import type { RoutingTable } from './routing.js';

export interface CatalogModel {
  model: string;
  type: RateType;
  provider: string;
  providerId: string;
  providerDisplayName: string;
  inputRate: string;
  outputRate: string;
  modelMetadata: Record<string, unknown> | null;
  available: boolean;
}

/**
 * `failing`: keys (`providerId:type:model`) whose latest health check failed; such a model is listed
 * as unavailable until a check passes.
 */
export async function listCatalogModels(routing: RoutingTable, type?: RateType, failing?: ReadonlySet<string>): Promise<CatalogModel[]> {
  const snap = await routing.current();
  const now = Date.now();
  const out: CatalogModel[] = [];
  for (const p of snap.providers) {
    const available = p.enabled && p.credentials.some((c) => isEligible(c, now));
    for (const rate of p.rates.values()) {
      if (type && rate.type !== type) continue;
      out.push({
        model: rate.model,
        type: rate.type,
        provider: p.name,
        providerId: p.id,
        providerDisplayName: p.displayName,
        inputRate: rate.inputRate,
        outputRate: rate.outputRate,
        modelMetadata: rate.modelMetadata,
        available: available && !failing?.has(`${p.id}:${rate.type}:${rate.model}`),
      });
    }
  }
  return out;
}
