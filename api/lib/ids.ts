import { randomUUID } from 'node:crypto';
import { randomHex } from './random-bytes.js';

/**
 * Row ids are UUIDv7 (RFC 9562): the millisecond clock first, then random bits. Rows inserted
 * together land next to each other in primary-key indexes instead of on random pages, so a batch
 * writes a few pages, not one per row, however large the table has grown.
 *
 * Built as text from the clock and 10 random bytes read as hex from a pool: the `uuid` package's
 * `v7` wants the random bytes as an array of their own, and that view and its byte array cost more
 * on the answer path than the id itself.
 */
export function newId(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  const random = randomHex(10);
  // Version 7, then 12 random bits; the variant (binary 10) and two random bits, then 60 more.
  const variant = VARIANT[parseInt(random[3]!, 16) & 3];
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 19)}`;
}

/** The variant nibble `10xx`, by its two random bits. */
const VARIANT = ['8', '9', 'a', 'b'];

/** A user DID-like id for users created without one. */
export const newUserDid = (): string => `user_${randomUUID().replace(/-/g, '')}`;
