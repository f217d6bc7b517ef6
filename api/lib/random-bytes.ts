/** Random bytes from a pooled buffer: one `randomFillSync` per 4 KB instead of one call per id. */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

/** `bytes` fresh random bytes (≤ 4096), as a view the caller reads at once and does not keep. */
export function pooledRandomBytes(bytes: number): Buffer {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const view = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return view;
}
