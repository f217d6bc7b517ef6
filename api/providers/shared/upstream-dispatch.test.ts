import { describe, expect, it } from 'vitest';
import { ChunkQueue, RelayStoppedError } from './upstream-dispatch.js';

const chunk = (i: number) => Buffer.from(`chunk ${i}`);

describe('ChunkQueue', () => {
  it('hands chunks over in order, to a reader already waiting or later', async () => {
    const q = new ChunkQueue();
    const waiting = q.next();
    expect(q.push(chunk(0))).toBe(true);
    expect((await waiting).value?.toString()).toBe('chunk 0');
    q.push(chunk(1));
    q.push(chunk(2));
    q.end();
    const seen: string[] = [];
    for (let r = await q.next(); !r.done; r = await q.next()) seen.push(r.value.toString());
    expect(seen).toEqual(['chunk 1', 'chunk 2']);
    expect(await q.next()).toEqual({ done: true, value: undefined });
  });

  it('asks undici to pause while 16 chunks wait, and to resume once the reader has caught up', async () => {
    const q = new ChunkQueue();
    let resumed = 0;
    q.resume = () => resumed++;
    const accepted = Array.from({ length: 16 }, (_, i) => q.push(chunk(i)));
    expect(accepted.slice(0, 15).every(Boolean)).toBe(true);
    expect(accepted[15]).toBe(false);
    for (let i = 0; i < 12; i++) expect((await q.next()).value?.toString()).toBe(`chunk ${i}`);
    expect(resumed).toBe(0);
    await q.next();
    expect(resumed).toBe(1);
    await q.next();
    expect(resumed).toBe(1);
  });

  it('gives the chunks that came before a failure, then the failure, to a waiting reader too', async () => {
    const q = new ChunkQueue();
    q.push(chunk(0));
    const reset = new Error('other side closed');
    q.fail(reset);
    expect((await q.next()).value?.toString()).toBe('chunk 0');
    await expect(q.next()).rejects.toBe(reset);

    const waiting = new ChunkQueue();
    const pending = waiting.next();
    waiting.fail(reset);
    await expect(pending).rejects.toBe(reset);
  });

  it('aborts the upstream request once when its reader stops early, and drops what waits', async () => {
    const q = new ChunkQueue();
    const reasons: unknown[] = [];
    q.cancel = (reason) => reasons.push(reason);
    q.push(chunk(0));
    q.push(chunk(1));
    expect(await q.return()).toEqual({ done: true, value: undefined });
    await q.return();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(RelayStoppedError);
    expect(await q.next()).toEqual({ done: true, value: undefined });
  });

  it('leaves an answer that already ended alone when its reader stops', async () => {
    const q = new ChunkQueue();
    let cancelled = 0;
    q.cancel = () => cancelled++;
    q.push(chunk(0));
    q.end();
    await q.return();
    expect(cancelled).toBe(0);
  });
});
