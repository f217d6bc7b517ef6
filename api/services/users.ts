import type { Transaction } from 'sequelize';
import { NotFoundError } from '../errors.js';
import type { Models } from '../store/models/index.js';
import { writeTransaction } from '../store/write-transaction.js';
import type { KeyLimits } from '../store/models/key-limits.js';
import type { Role, User } from '../store/models/user.js';

export type UserCreatedListener = (user: User) => Promise<void> | void;

export interface UserService {
  /** Returns the user, creating it on first sight (and telling the listeners). */
  ensure(did: string, init?: { name?: string | null; role?: Role }, transaction?: Transaction): Promise<User>;
  get(did: string): Promise<User | null>;
  /** Sets a user's own limits (API.md §14); 404 for an unknown user. */
  setLimits(did: string, limits: KeyLimits | null): Promise<User>;
  /** Users, newest first, with their limits (for the admin's page). */
  list(): Promise<User[]>;
  onCreated(listener: UserCreatedListener): void;
}

/** `onChanged`: a user's limits changed (limit caches drop them). */
export function createUserService(models: Models, onChanged?: () => void): UserService {
  const listeners: UserCreatedListener[] = [];
  return {
    async ensure(did, init = {}, transaction) {
      const found = await models.User.findByPk(did, { transaction });
      if (found) return found;
      // In a write transaction: SQLite's default one would read, then fail at once (SQLITE_BUSY)
      // to upgrade to writing while the call recorder writes.
      const create = (t: Transaction) => models.User.findOrCreate({ where: { did }, defaults: { did, name: init.name ?? null, role: init.role ?? 'member' }, transaction: t });
      const [user, created] = transaction ? await create(transaction) : await writeTransaction(models.User.sequelize!, create);
      if (created) for (const listener of listeners) await listener(user);
      return user;
    },
    get: (did) => models.User.findByPk(did),
    async setLimits(did, limits) {
      const user = await models.User.findByPk(did);
      if (!user) throw new NotFoundError(`User '${did}' not found`);
      await user.update({ limits });
      onChanged?.();
      return user;
    },
    list: () => models.User.findAll({ order: [['createdAt', 'DESC']], limit: 1000 }),
    onCreated(listener) {
      listeners.push(listener);
    },
  };
}
