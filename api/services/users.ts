import type { Models } from '../store/models/index.js';
import type { Role, User } from '../store/models/user.js';

export type UserCreatedListener = (user: User) => Promise<void> | void;

export interface UserService {
  /** Returns the user, creating it on first sight (and telling the listeners). */
  ensure(did: string, init?: { name?: string | null; role?: Role }): Promise<User>;
  get(did: string): Promise<User | null>;
  onCreated(listener: UserCreatedListener): void;
}

export function createUserService(models: Models): UserService {
  const listeners: UserCreatedListener[] = [];
  const known = new Set<string>();
  return {
    async ensure(did, init = {}) {
      const [user, created] = await models.User.findOrCreate({
        where: { did },
        defaults: { did, name: init.name ?? null, role: init.role ?? 'member' },
      });
      if (created) for (const listener of listeners) await listener(user);
      known.add(did);
      return user;
    },
    get: (did) => models.User.findByPk(did),
    onCreated(listener) {
      listeners.push(listener);
    },
  };
}
