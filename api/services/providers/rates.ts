/** A provider's model rates: exact decimal strings, one per model and call type. */
import { BadRequestError, NotFoundError } from '../../errors.js';
import { normalizeDecimal } from '../../lib/decimal.js';
import { newId } from '../../lib/ids.js';
import type { AiModelRate } from '../../store/models/ai-model-rate.js';
import type { RateBody, RateView } from '../../wire/providers.js';
import { conflictOnDuplicate } from '../unique-conflict.js';
import { findProvider, type AdminContext } from './providers.js';
import { toRateView } from './views.js';

export interface RateService {
  listRates(providerId: string): Promise<RateView[]>;
  createRate(providerId: string, input: RateBody): Promise<RateView>;
  updateRate(providerId: string, id: string, input: Partial<RateBody>): Promise<RateView>;
  deleteRate(providerId: string, id: string): Promise<void>;
}

type RateFields = Partial<Pick<AiModelRate, 'model' | 'type' | 'inputRate' | 'outputRate' | 'cacheReadRate' | 'cacheWriteRate' | 'unitCosts' | 'modelMetadata'>>;

function checkRate(field: string, value: unknown, required: true): string;
function checkRate(field: string, value: unknown, required: false): string | null;
function checkRate(field: string, value: unknown, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new BadRequestError(`${field} is required`);
    return null;
  }
  const normalized = normalizeDecimal(value);
  if (normalized === null) throw new BadRequestError(`${field} must be a non-negative decimal (a string like "0.000002"), got ${JSON.stringify(value)}`);
  return normalized;
}

/** The rate columns an input sets: all required ones when creating, only those given when updating. */
function rateFields(input: Partial<RateBody>, creating: boolean): RateFields {
  const out: RateFields = {};
  if (creating || input.inputRate !== undefined) out.inputRate = checkRate('inputRate', input.inputRate, true);
  if (creating || input.outputRate !== undefined) out.outputRate = checkRate('outputRate', input.outputRate, true);
  if (input.cacheReadRate !== undefined) out.cacheReadRate = checkRate('cacheReadRate', input.cacheReadRate, false);
  if (input.cacheWriteRate !== undefined) out.cacheWriteRate = checkRate('cacheWriteRate', input.cacheWriteRate, false);
  if (input.unitCosts !== undefined) {
    out.unitCosts = input.unitCosts
      ? { input: checkRate('unitCosts.input', input.unitCosts.input, true), output: checkRate('unitCosts.output', input.unitCosts.output, true) }
      : null;
  }
  if (input.modelMetadata !== undefined) out.modelMetadata = input.modelMetadata;
  return out;
}

export function createRateService({ models, onChange }: AdminContext): RateService {
  const findRate = async (providerId: string, id: string) => {
    const row = await models.AiModelRate.findOne({ where: { id, providerId } });
    if (!row) throw new NotFoundError(`Model rate '${id}' not found for provider '${providerId}'`);
    return row;
  };

  return {
    async listRates(providerId) {
      await findProvider(models, providerId);
      const rows = await models.AiModelRate.findAll({ where: { providerId }, order: [['model', 'ASC']] });
      return rows.map(toRateView);
    },

    async createRate(providerId, input) {
      await findProvider(models, providerId);
      const fields = rateFields(input, true);
      const row = await conflictOnDuplicate(
        () =>
          models.AiModelRate.create({
            id: newId(),
            providerId,
            model: input.model.trim(),
            type: input.type,
            inputRate: fields.inputRate!,
            outputRate: fields.outputRate!,
            cacheReadRate: fields.cacheReadRate ?? null,
            cacheWriteRate: fields.cacheWriteRate ?? null,
            unitCosts: fields.unitCosts ?? null,
            modelMetadata: input.modelMetadata ?? null,
          }),
        `A ${input.type} rate for '${input.model}' already exists for this provider`,
      );
      onChange();
      return toRateView(row);
    },

    async updateRate(providerId, id, input) {
      const row = await findRate(providerId, id);
      const patch = rateFields(input, false);
      if (input.model !== undefined) patch.model = input.model.trim();
      if (input.type !== undefined) patch.type = input.type;
      await conflictOnDuplicate(() => row.update(patch), 'Another rate for that model and type exists for this provider');
      onChange();
      return toRateView(row);
    },

    async deleteRate(providerId, id) {
      const row = await findRate(providerId, id);
      await row.destroy();
      onChange();
    },
  };
}
