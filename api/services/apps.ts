import { NotFoundError } from '../errors.js';
import { newId } from '../lib/ids.js';
import type { App } from '../store/models/app.js';
import type { Models } from '../store/models/index.js';
import type { KeyLimits } from '../store/models/key-limits.js';
import type { AppBody, AppView } from '../wire/keys.js';
import { conflictOnDuplicate } from './unique-conflict.js';

const toView = (row: App): AppView => ({ id: row.id, name: row.name, did: row.did, limits: row.limits ?? null, createdAt: row.createdAt.toISOString() });

export interface AppService {
  list(): Promise<AppView[]>;
  create(input: AppBody): Promise<AppView>;
  remove(id: string): Promise<void>;
  update(id: string, change: { name?: string; limits?: KeyLimits | null }): Promise<AppView>;
}

/** `onChanged`: an app's limits changed (limit caches drop them). */
export function createAppService(models: Models, onChanged?: () => void): AppService {
  return {
    async list() {
      return (await models.App.findAll({ order: [['createdAt', 'DESC']] })).map(toView);
    },
    async create(input) {
      const id = newId();
      const did = input.did ?? `app_${id.replace(/-/g, '')}`;
      return toView(await conflictOnDuplicate(() => models.App.create({ id, name: input.name, did }), `An app with did '${input.did}' already exists`));
    },
    async update(id, change) {
      const row = await models.App.findByPk(id);
      if (!row) throw new NotFoundError(`App '${id}' not found`);
      await row.update({ ...(change.name !== undefined ? { name: change.name } : {}), ...(change.limits !== undefined ? { limits: change.limits } : {}) });
      onChanged?.();
      return toView(row);
    },
    async remove(id) {
      const row = await models.App.findByPk(id);
      if (!row) throw new NotFoundError(`App '${id}' not found`);
      await row.destroy();
    },
  };
}
