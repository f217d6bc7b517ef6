/** Model catalogs: GET /api/v1/models (OpenAI), GET /api/ai/models (AIGNE), GET /api/v2/status. */
import { Router } from 'express';
import { z } from 'zod/v4';
import { AppError } from '../errors.js';
import { requireAuth } from '../middlewares/auth.js';
import { parseQuery } from '../middlewares/validate.js';
import { listCatalogModels } from '../services/gateway/catalog.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { RateType } from '../store/models/ai-model-rate.js';
import type { HubModel } from '../wire/models.js';

const TYPES: Record<string, RateType> = { chat: 'chatCompletion', chatCompletion: 'chatCompletion', embedding: 'embedding', image: 'imageGeneration', imageGeneration: 'imageGeneration' };

const modelsQuery = z.object({ type: z.enum(['chat', 'embedding', 'image', 'chatCompletion', 'imageGeneration']).optional() }).passthrough();

/** Public: the AIGNE client's `getModels()` reads this. */
export function aigneModelsRoute(gateway: Gateway) {
  const r = Router();
  r.get('/', async (req, res) => {
    const { type } = parseQuery(modelsQuery, req.query);
    const models = await listCatalogModels(gateway.routing, type ? TYPES[type] : undefined);
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

export function openAIModelsRoute(gateway: Gateway) {
  const r = Router();
  r.use(requireAuth());
  r.get('/', async (_req, res) => {
    const models = await listCatalogModels(gateway.routing);
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
    const models = await listCatalogModels(gateway.routing);
    const m = models.find((x) => `${x.provider}/${x.model}` === id);
    if (!m) throw new AppError(404, 'model_not_found', `The model '${id}' does not exist`, { code: 'model_not_found' });
    res.json({ id, object: 'model', owned_by: m.provider, created: 0 });
  });
  return r;
}

const statusQuery = z.object({ model: z.string().min(1, 'model is required'), type: z.enum(['chat', 'embedding', 'image']).optional() }).passthrough();

export function statusRoute(gateway: Gateway) {
  const r = Router();
  r.use(requireAuth());
  r.get('/', async (req, res) => {
    const { model, type } = parseQuery(statusQuery, req.query);
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
