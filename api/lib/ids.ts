import { randomUUID } from 'node:crypto';
import { v7 } from 'uuid';
import { pooledRandomBytes } from './random-bytes.js';

/**
 * Row ids are UUIDv7: the millisecond clock first, then random bits. Rows inserted together land
 * next to each other in primary-key indexes instead of on random pages, so a batch writes a few
 * pages, not one per row, however large the table has grown.
 */
export const newId = (): string => v7({ random: pooledRandomBytes(16) });

/** A user DID-like id for users created without one. */
export const newUserDid = (): string => `user_${randomUUID().replace(/-/g, '')}`;
