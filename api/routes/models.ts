/** Model catalogs: GET /api/v1/models (OpenAI), GET /api/ai/models (AIGNE), GET /api/v2/status (credit-aware). */
import { Router } from 'express';
import { z } from 'zod/v4';
import { AppError } from '../errors.js';
import { nanoToCredits } from '../lib/decimal.js';
import { requireAuth } from '../middlewares/auth.js';
import { parseQuery } from '../middlewares/validate.js';
import type { BillingBackend } from '../services/billing/backend.js';
import { listCatalogModels } from '../services/gateway/catalog.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { Caller } from '../services/access-keys.js';
import type { ModelHealth } from '../services/health/model-health.js';
import type { RateType } from '../store/models/ai-model-rate.js';
import type { HubModel } from '../wire/models.js';

const TYPES: Record<string, RateType> = { chat: 'chatCompletion', chatCompletion: 'chatCompletion', embedding: 'embedding', image: 'imageGeneration', imageGeneration: 'imageGeneration', audio: 'audio', video: 'video' };

const modelsQuery = z.object({ type: z.enum(['chat', 'embedding', 'image', 'chatCompletion', 'imageGeneration', 'audio', 'video']).optional() }).passthrough();

/** Which `provider/model` names a caller's limits let it use (null: all of them). */
export type ModelFilter = (caller: Caller) => Promise<((name: string) => boolean) | null>;

/** Keys of the models whose latest health check failed. */
export async function failingModels(health?: Pick<ModelHealth, 'latest'>): Promise<Set<string>> {
  const failing = new Set<string>();
  if (!health) return failing;
  for (const [key, check] of await health.latest()) if (!check.ok) failing.add(key);
  return failing;
}

/** The catalog as the caller may use it (an anonymous caller sees all of it). */
async function catalogFor(gateway: Gateway, filter: ModelFilter | undefined, caller: Caller | null, type?: RateType, failing?: Set<string>) {
  const models = await listCatalogModels(gateway.routing, type, failing);
  const allows = caller && filter ? await filter(caller) : null;
  return allows ? models.filter((m) => allows(`${m.provider}/${m.model}`)) : models;
}

/** Public: the AIGNE client's `getModels()` reads this; `status.available` follows the health checks. */
export function aigneModelsRoute(gateway: Gateway, health?: Pick<ModelHealth, 'latest'>, filter?: ModelFilter) {
  const r = Router();
  r.get('/', async (req, res) => {
    const { type } = parseQuery(modelsQuery, req.query);
    const models = await catalogFor(gateway, filter, req.ctx.caller, type ? TYPES[type] : undefined, await failingModels(health));
    res.json(
      models.map((m) => ({
        model: m.model,
        type: m.type === 'chatCompletion' ? 'chat' : m.type === 'imageGeneration' ? 'image' : m.type,
        provider: m.provider,
        providerDisplayName: m.providerDisplayName,
        input_credits_per_token: m.inputRate,
        output_credits_per_token: m.outputRate,
        modelMetadata: m.modelMetadata,
        status: { available: m.available },
      })) satisfies HubModel[],
    );
  });
  return r;
}

export function openAIModelsRoute(gateway: Gateway, filter?: ModelFilter) {
  const r = Router();
  r.use(requireAuth());
  r.get('/', async (req, res) => {
    const models = await catalogFor(gateway, filter, req.ctx.caller);
    const seen = new Set<string>();
    const data = [];
    for (const m of models) {
      const id = `${m.provider}/${m.model}`;
      if (seen.has(id)) continue;
      seen.add(id);
      data.push({ id, object: 'model', owned_by: m.provider, created: 0 });
    }
    res.json({ object: 'list', data });
  });
  r.get('/{*id}', async (req, res) => {
    const id = ([] as string[]).concat((req.params as { id: string | string[] }).id).join('/');
    const models = await catalogFor(gateway, filter, req.ctx.caller);
    const m = models.find((x) => `${x.provider}/${x.model}` === id);
    if (!m) throw new AppError(404, 'model_not_found', `The model '${id}' does not exist`, { code: 'model_not_found' });
    res.json({ id, object: 'model', owned_by: m.provider, created: 0 });
  });
  return r;
}

const statusQuery = z.object({ model: z.string().min(1, 'model is required'), type: z.enum(['chat', 'embedding', 'image', 'audio', 'video']).optional() }).passthrough();

/**
 * With credit billing on, a caller with nothing left to spend is told so, with where to buy more
 * (API.md §13), before the model is looked at: AIGNE clients call this before they start.
 */
async function creditProblem(billing: BillingBackend, userDid: string): Promise<Record<string, unknown> | null> {
  let available: number;
  try {
    const b = await billing.balance(userDid);
    available = b.balanceNano - b.pendingNano;
  } catch (err) {
    if (err instanceof AppError) return { available: false, error: err.message, code: err.status, type: err.type };
    throw err;
  }
  if (available > 0) return null;
  const link = await billing.paymentLink().catch(() => billing.topUpLink);
  return {
    available: false,
    error: `Insufficient credits: the available balance is ${nanoToCredits(Math.max(0, available))}`,
    code: 402,
    type: 'insufficient_credits',
    ...(link ? { link } : {}),
  };
}

export function statusRoute(gateway: Gateway, billing: BillingBackend) {
  const r = Router();
  r.use(requireAuth());
  r.get('/', async (req, res) => {
    const { model, type } = parseQuery(statusQuery, req.query);
    const userDid = req.ctx.caller!.userDid;
    if (billing.enabled && userDid) {
      const problem = await creditProblem(billing, userDid);
      if (problem) {
        res.json(problem);
        return;
      }
    }
    try {
      await gateway.routing.resolve(model, TYPES[type ?? 'chat']!);
      res.json({ available: true });
    } catch (err) {
      if (err instanceof AppError) res.json({ available: false, error: err.message, code: err.code ?? err.type });
      else throw err;
    }
  });
  return r;
}
