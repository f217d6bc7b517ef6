/** A write that breaks a unique constraint is the caller's conflict (409), not a server error. */
import { UniqueConstraintError } from 'sequelize';
import { ConflictError } from '../errors.js';

export async function conflictOnDuplicate<T>(write: () => Promise<T>, message: string, code?: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw new ConflictError(message, code ? { code } : {});
    throw err;
  }
}
