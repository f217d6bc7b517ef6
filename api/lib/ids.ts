import { randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** A user DID-like id for users created without one. */
export const newUserDid = (): string => `user_${randomUUID().replace(/-/g, '')}`;
