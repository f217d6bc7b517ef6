import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('gives UUIDv7 ids that start with the creation time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('orders ids by creation time across milliseconds, and never repeats one', async () => {
    const first = Array.from({ length: 2000 }, newId);
    // On to a later millisecond than any of them.
    const last = Date.now();
    while (Date.now() <= last) await new Promise((r) => setImmediate(r));
    const later = newId();
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) expect(id < later).toBe(true);
    // Random bits differ between ids of the same millisecond (a pool that stopped refilling would repeat).
    expect(new Set(first.map((id) => id.slice(15))).size).toBe(first.length);
  });
});
