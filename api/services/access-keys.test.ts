/**
 * Access-key lookups on a real SQLite file, counted with the model's own `beforeFind` hook:
 * requests that miss the cache together share one read; an entry about to expire is read again in
 * the background while it is still served; a lookup after `clearCache()` does not join a read begun
 * before it.
 */
import { describe, expect, it } from 'vitest';
import { tempStores } from '../tests/helpers/temp-store.js';
import { createAccessKeyService } from './access-keys.js';
import { createUserService } from './users.js';

const openStore = tempStores();

async function setup(cacheTtlMs: number) {
  const { models } = await openStore();
  const keys = createAccessKeyService(models, createUserService(models), { cacheTtlMs });
  let reads = 0;
  models.AccessKey.addHook('beforeFind', () => {
    reads += 1;
  });
  const created = await keys.create({ name: 'member' });
  return { keys, created, reads: () => reads };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('access-key lookups', () => {
  it('reads a key once for requests that miss the cache together', async () => {
    const { keys, created, reads } = await setup(60_000);
    const callers = await Promise.all(Array.from({ length: 50 }, () => keys.authenticate(created.key)));
    expect(reads()).toBe(1);
    for (const c of callers) expect(c).toMatchObject({ keyId: created.id, role: 'member' });
    await keys.authenticate(created.key);
    expect(reads()).toBe(1);
    const unknown = await Promise.all(Array.from({ length: 10 }, () => keys.authenticate('aigne_unknown')));
    expect(unknown.every((c) => c === null)).toBe(true);
    expect(reads()).toBe(2);
  });

  it('reads an entry again in the last quarter of its life while still serving it', async () => {
    const ttl = 2000;
    const { keys, created, reads } = await setup(ttl);
    await keys.authenticate(created.key);
    expect(reads()).toBe(1);
    await sleep(ttl * 0.2);
    await keys.authenticate(created.key);
    expect(reads()).toBe(1);
    await sleep(ttl * 0.65); // three quarters of the TTL gone (or the entry expired: one read either way)
    // Served from the cache at once; one read starts behind it, however many requests come.
    const served = await Promise.all(Array.from({ length: 20 }, () => keys.authenticate(created.key)));
    expect(served.every((c) => c?.keyId === created.id)).toBe(true);
    expect(reads()).toBe(2);
    // The entry read in the background lives a whole TTL from then: past the old expiry, no wait.
    await sleep(ttl * 0.4);
    await keys.authenticate(created.key);
    expect(reads()).toBe(2);
  });

  it('starts a fresh read after clearCache() instead of joining one begun before it', async () => {
    const { keys, created, reads } = await setup(60_000);
    const before = keys.authenticate(created.key);
    keys.clearCache();
    const after = keys.authenticate(created.key);
    await Promise.all([before, after]);
    expect(reads()).toBe(2);
  });
});
