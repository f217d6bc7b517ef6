import { TtlCache } from './ttl-cache.js';

/**
 * A read-through cache for rows every request needs (keys, limits). Misses of one key share one
 * read: at an entry's expiry under load, each request in flight would otherwise read the row itself.
 * An entry in the last quarter of its life is read again in the background while it is still served,
 * so a key in steady use never waits for the database and a change made elsewhere is still seen
 * within the TTL.
 */
export class ReadThroughCache<K, V> {
  private readonly entries: TtlCache<K, V>;
  private readonly reading = new Map<K, Promise<V>>();
  /** A read that a change (forget(), delete()) overtook must not put back what it read before it. */
  private generation = 0;

  constructor(ttlMs: number, maxEntries?: number) {
    this.entries = new TtlCache<K, V>(ttlMs, maxEntries);
  }

  /** The cached value, else one read shared by every caller that misses meanwhile. */
  get(key: K, read: () => Promise<V>): V | Promise<V> {
    const entry = this.entries.entry(key);
    if (!entry) return this.read(key, read);
    if (entry.expires - Date.now() < this.entries.ttlMs / 4) this.read(key, read).catch(() => {});
    return entry.value;
  }

  /** Drop one key (it changed here); reads in flight keep their answer but do not store it. */
  delete(key: K): void {
    this.generation += 1;
    this.reading.delete(key);
    this.entries.delete(key);
  }

  /** Drop everything (a change anywhere, perhaps on another instance). */
  clear(): void {
    this.generation += 1;
    this.reading.clear();
    this.entries.clear();
  }

  private read(key: K, read: () => Promise<V>): Promise<V> {
    const inFlight = this.reading.get(key);
    if (inFlight) return inFlight;
    const readIn = this.generation;
    const p = read()
      .then((value) => {
        if (readIn === this.generation) this.entries.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.reading.get(key) === p) this.reading.delete(key);
      });
    this.reading.set(key, p);
    return p;
  }
}
