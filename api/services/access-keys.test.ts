/**
 * Access-key lookups on a real SQLite file, counted with the model's own `beforeFind` hook:
 * requests that miss the cache together share one read; an entry about to expire is read again in
 * the background while it is still served; a lookup after `clearCache()` does not join a read begun
 * before it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempStores } from '../tests/helpers/temp-store.js';
import { createAccessKeyService } from './access-keys.js';
import { createUserService } from './users.js';

const openStore = tempStores();

async function setup(cacheTtlMs: number) {
  const { models } = await openStore();
  const keys = createAccessKeyService(models, createUserService(models), { cacheTtlMs });
  let reads = 0;
  let done = 0;
  models.AccessKey.addHook('beforeFind', () => {
    reads += 1;
  });
  models.AccessKey.addHook('afterFind', () => {
    done += 1;
  });
  const created = await keys.create({ name: 'member' });
  return { keys, created, reads: () => reads, done: () => done };
}

/** Polls `condition` (real time: the tests below set the date) until it holds, or fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const end = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setImmediate(r));
  }
}

describe('access-key lookups', () => {
  // The cache's clock is the date, set by the tests instead of waited for.
  afterEach(() => {
    vi.useRealTimers();
  });

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
    const { keys, created, reads, done } = await setup(ttl);
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    await keys.authenticate(created.key);
    expect(reads()).toBe(1);
    vi.setSystemTime(start + ttl * 0.75);
    await keys.authenticate(created.key);
    expect(reads()).toBe(1);
    vi.setSystemTime(start + ttl * 0.76);
    // Served from the cache at once; one read starts behind it, however many requests come.
    const served = await Promise.all(Array.from({ length: 20 }, () => keys.authenticate(created.key)));
    expect(served.every((c) => c?.keyId === created.id)).toBe(true);
    expect(reads()).toBe(2);
    // The entry read in the background lives a whole TTL from then: past the old expiry, no read.
    await until(() => done() === 2);
    vi.setSystemTime(start + ttl * 1.5);
    expect(await keys.authenticate(created.key)).toMatchObject({ keyId: created.id });
    expect(reads()).toBe(2);
    // Past its own expiry it is read again before it is served.
    vi.setSystemTime(start + ttl * 1.77);
    expect(await keys.authenticate(created.key)).toMatchObject({ keyId: created.id });
    expect(reads()).toBe(3);
  });

  it('refuses a key from its expiry on, even while its lookup is cached', async () => {
    const { keys, reads } = await setup(60_000);
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const short = await keys.create({ name: 'short', expiresAt: new Date(start + 1000) });
    expect(await keys.authenticate(short.key)).toMatchObject({ keyId: short.id });
    const cached = reads();
    vi.setSystemTime(start + 999);
    expect(await keys.authenticate(short.key)).toMatchObject({ keyId: short.id });
    vi.setSystemTime(start + 1000);
    expect(await keys.authenticate(short.key)).toBeNull();
    expect(reads()).toBe(cached);
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
