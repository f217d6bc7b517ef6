import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadThroughCache } from './read-through-cache.js';

/** A read the test finishes when it chooses. */
function deferredRead<V>() {
  const calls: { resolve: (v: V) => void }[] = [];
  const read = () => new Promise<V>((resolve) => calls.push({ resolve }));
  return { read, calls };
}

describe('ReadThroughCache', () => {
  afterEach(() => vi.useRealTimers());

  it('misses of one key share one read, and the value is then served from the cache', async () => {
    const cache = new ReadThroughCache<string, number>(1000);
    const { read, calls } = deferredRead<number>();
    const a = cache.get('k', read);
    const b = cache.get('k', read);
    const other = cache.get('other', read);
    expect(calls).toHaveLength(2); // one for 'k', one for 'other'
    calls[0]!.resolve(7);
    calls[1]!.resolve(9);
    expect(await a).toBe(7);
    expect(await b).toBe(7);
    expect(await other).toBe(9);
    expect(cache.get('k', read)).toBe(7);
    expect(calls).toHaveLength(2);
  });

  it('reads again after the TTL, and in the background in the last quarter of an entry’s life', async () => {
    vi.useFakeTimers({ now: 0 });
    const cache = new ReadThroughCache<string, number>(1000);
    const { read, calls } = deferredRead<number>();
    const first = cache.get('k', read);
    calls[0]!.resolve(1);
    await first;

    vi.setSystemTime(700); // 300 ms left: more than a quarter
    expect(cache.get('k', read)).toBe(1);
    expect(calls).toHaveLength(1);

    vi.setSystemTime(800); // 200 ms left: served, and read again meanwhile
    expect(cache.get('k', read)).toBe(1);
    expect(calls).toHaveLength(2);
    expect(cache.get('k', read)).toBe(1);
    expect(calls).toHaveLength(2); // the refresh in flight is shared
    calls[1]!.resolve(2);
    await vi.waitFor(() => expect(cache.get('k', read)).toBe(2));

    vi.setSystemTime(Date.now() + 1000); // the refreshed entry (kept at or before now) has expired
    const again = cache.get('k', read);
    expect(again).toBeInstanceOf(Promise);
    calls[2]!.resolve(3);
    expect(await again).toBe(3);
  });

  it('a read that a delete or clear overtook answers its callers but is not kept', async () => {
    const cache = new ReadThroughCache<string, string>(1000);
    const { read, calls } = deferredRead<string>();
    const before = cache.get('k', read);
    cache.delete('k');
    const after = cache.get('k', read);
    expect(calls).toHaveLength(2); // the delete ended the sharing with the older read
    calls[0]!.resolve('old');
    expect(await before).toBe('old');
    calls[1]!.resolve('new');
    expect(await after).toBe('new');
    expect(cache.get('k', read)).toBe('new');

    const pending = cache.get('j', read);
    cache.clear();
    calls[2]!.resolve('stale');
    expect(await pending).toBe('stale');
    const fresh = cache.get('j', read);
    expect(fresh).toBeInstanceOf(Promise);
    expect(calls).toHaveLength(4);
  });

  it('a failed read is not kept: the next caller reads again', async () => {
    const cache = new ReadThroughCache<string, number>(1000);
    let n = 0;
    const read = () => (++n === 1 ? Promise.reject(new Error('database gone')) : Promise.resolve(n));
    await expect(cache.get('k', read)).rejects.toThrow('database gone');
    expect(await cache.get('k', read)).toBe(2);
  });
});
