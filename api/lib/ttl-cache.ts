/** A small map with per-entry expiry, for read caches that other instances may invalidate by TTL. */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: K): V | undefined {
    return this.entry(key)?.value;
  }

  /** The live entry with the time (epoch ms) it expires at. */
  entry(key: K): { value: V; expires: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
