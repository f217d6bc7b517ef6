/** Random bytes from a pooled buffer: one `randomFillSync` per 4 KB instead of one call per id. */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

/** Where `bytes` fresh random bytes (≤ 4096) start in the pool. */
function take(bytes: number): number {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` fresh random bytes as hex, read straight from the pool (no Buffer view made per call). */
export function randomHex(bytes: number): string {
  const at = take(bytes);
  return pool.toString('hex', at, at + bytes);
}
