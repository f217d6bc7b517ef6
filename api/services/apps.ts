import { UniqueConstraintError } from 'sequelize';
import { ConflictError, NotFoundError } from '../errors.js';
import { newId } from '../lib/ids.js';
import type { App } from '../store/models/app.js';
import type { Models } from '../store/models/index.js';
import type { KeyLimits } from '../store/models/key-limits.js';

export interface AppView {
  id: string;
  name: string;
  did: string;
  limits: KeyLimits | null;
  createdAt: string;
}

const toView = (row: App): AppView => ({ id: row.id, name: row.name, did: row.did, limits: row.limits ?? null, createdAt: row.createdAt.toISOString() });

export interface AppService {
  list(): Promise<AppView[]>;
  create(input: { name: string; did?: string }): Promise<AppView>;
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
      try {
        return toView(await models.App.create({ id, name: input.name, did: input.did ?? `app_${id.replace(/-/g, '')}` }));
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new ConflictError(`An app with did '${input.did}' already exists`);
        throw err;
      }
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
