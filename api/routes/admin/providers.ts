import { Router } from 'express';
import { z } from 'zod/v4';
import { requireRole } from '../../middlewares/auth.js';
import { validateBody } from '../../middlewares/validate.js';
import { listProviderManifests } from '../../providers/registry.js';
import type { ProviderAdminService } from '../../services/providers/admin.js';
import { toCatalogEntry } from '../../services/providers/views.js';
import type { CredentialBody, CredentialUpdateBody, ProviderBody, RateBody } from '../../wire/providers.js';

const name = z.string().trim().min(1).max(200);
const rate = z.union([z.string(), z.number()]);
const rateType = z.enum(['chatCompletion', 'embedding', 'imageGeneration', 'audio', 'video']);

const providerCreate = z
  .object({
    name: z.string().trim().min(1).max(64),
    displayName: z.string().max(200).optional(),
    baseUrl: z.string().max(1000).nullable().optional(),
    region: z.string().max(64).nullable().optional(),
    enabled: z.boolean().optional(),
    rank: z.number().int().min(0).max(1_000_000).optional(),
    config: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict() satisfies z.ZodType<ProviderBody>;
const providerUpdate = providerCreate.partial();

const credentialValue = z.record(z.string(), z.string({ error: 'credential fields must be strings' }));
const credentialCreate = z
  .object({
    name,
    credentialValue,
    credentialType: z.enum(['api_key', 'access_key_pair', 'custom']).optional(),
    weight: z.number().int().min(1).max(10_000).optional(),
    validate: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<CredentialBody>;
const credentialUpdate = z
  .object({
    name: name.optional(),
    credentialValue: credentialValue.optional(),
    weight: z.number().int().min(1).max(10_000).optional(),
    enabled: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<CredentialUpdateBody>;

const rateCreate = z
  .object({
    model: z.string().trim().min(1).max(200),
    type: rateType,
    inputRate: rate,
    outputRate: rate,
    cacheReadRate: rate.nullable().optional(),
    cacheWriteRate: rate.nullable().optional(),
    unitCosts: z.object({ input: rate, output: rate }).nullable().optional(),
    modelMetadata: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict() satisfies z.ZodType<RateBody>;
const rateUpdate = rateCreate.partial();

/** API.md §5: providers, credentials and model rates. Admin only. */
export function providerRoutes(service: ProviderAdminService): Router {
  const r = Router();
  r.use(requireRole('admin'));

  r.get('/catalog', (_req, res) => {
    res.json(listProviderManifests().map(toCatalogEntry));
  });

  r.get('/', async (_req, res) => {
    res.json(await service.listProviders());
  });
  r.post('/', validateBody(providerCreate), async (req, res) => {
    res.status(201).json(await service.createProvider(req.body));
  });
  r.get('/:id', async (req, res) => {
    res.json(await service.getProvider(String(req.params.id)));
  });
  r.put('/:id', validateBody(providerUpdate), async (req, res) => {
    res.json(await service.updateProvider(String(req.params.id), req.body));
  });
  r.delete('/:id', async (req, res) => {
    await service.deleteProvider(String(req.params.id));
    res.status(204).end();
  });

  r.get('/:id/credentials', async (req, res) => {
    res.json((await service.getProvider(String(req.params.id))).credentials);
  });
  r.post('/:id/credentials', validateBody(credentialCreate), async (req, res) => {
    const { validate = true, ...input } = req.body as z.infer<typeof credentialCreate>;
    res.status(201).json(await service.createCredential(String(req.params.id), input, validate));
  });
  r.put('/:id/credentials/:credentialId', validateBody(credentialUpdate), async (req, res) => {
    res.json(await service.updateCredential(String(req.params.id), String(req.params.credentialId), req.body));
  });
  r.delete('/:id/credentials/:credentialId', async (req, res) => {
    await service.deleteCredential(String(req.params.id), String(req.params.credentialId));
    res.status(204).end();
  });
  r.post('/:id/credentials/:credentialId/test', async (req, res) => {
    res.json(await service.testCredential(String(req.params.id), String(req.params.credentialId)));
  });

  r.get('/:id/model-rates', async (req, res) => {
    res.json(await service.listRates(String(req.params.id)));
  });
  r.post('/:id/model-rates', validateBody(rateCreate), async (req, res) => {
    res.status(201).json(await service.createRate(String(req.params.id), req.body));
  });
  r.put('/:id/model-rates/:rateId', validateBody(rateUpdate), async (req, res) => {
    res.json(await service.updateRate(String(req.params.id), String(req.params.rateId), req.body));
  });
  r.delete('/:id/model-rates/:rateId', async (req, res) => {
    await service.deleteRate(String(req.params.id), String(req.params.rateId));
    res.status(204).end();
  });
  return r;
}
