import { describe, expect, it } from 'vitest';
import { HeldCredits } from './held-credits.js';

/** HeldCredits over balances kept here; counts the reads. */
function setup(balances: Record<string, number>) {
  const reads: string[] = [];
  const held = new HeldCredits(async (userDid, set) => {
    reads.push(userDid);
    await new Promise((r) => setImmediate(r));
    set(balances[userDid] ?? 0);
  });
  return { held, reads };
}

const FAR = Number.MAX_SAFE_INTEGER;

describe('credits held in the process', () => {
  it('holds what the balance covers, to the last nano-credit, and nothing more', async () => {
    const { held } = setup({ u: 100 });
    const a = await held.hold('u', 60, FAR);
    expect(a).toEqual({ id: expect.any(String), amountNano: 60 });
    expect(held.heldNano('u')).toBe(60);
    expect(await held.hold('u', 41, FAR)).toEqual({ id: null, availableNano: 40 });
    const b = await held.hold('u', 40, FAR);
    expect(b).toEqual({ id: expect.any(String), amountNano: 40 });
    expect(b.id).not.toBe(a.id);
    expect(held.heldNano('u')).toBe(100);
    expect(await held.hold('u', 1, FAR)).toEqual({ id: null, availableNano: 0 });
  });

  it('holds nothing, not even 0, when nothing is available', async () => {
    const { held } = setup({ broke: 0, owing: -5 });
    expect(await held.hold('broke', 0, FAR)).toEqual({ id: null, availableNano: 0 });
    expect(await held.hold('owing', 0, FAR)).toEqual({ id: null, availableNano: -5 });
    const { held: some } = setup({ u: 1 });
    expect(await some.hold('u', 0, FAR)).toEqual({ id: expect.any(String), amountNano: 0 });
  });

  it('reads a balance once for holds that arrive together, and keeps each user apart', async () => {
    const { held, reads } = setup({ u: 10, v: 3 });
    const results = await Promise.all([held.hold('u', 4, FAR), held.hold('u', 4, FAR), held.hold('u', 4, FAR), held.hold('v', 3, FAR)]);
    expect(reads).toEqual(['u', 'v']);
    expect(results.map((r) => r.id !== null)).toEqual([true, true, false, true]);
    expect(results[2]).toEqual({ id: null, availableNano: 2 });
    expect([held.heldNano('u'), held.heldNano('v'), held.heldNano('nobody')]).toEqual([8, 3, 0]);
    await held.hold('u', 1, FAR);
    expect(reads).toEqual(['u', 'v']);
  });

  it('reads again when a read ended without a balance', async () => {
    let calls = 0;
    const held = new HeldCredits(async (_userDid, set) => {
      calls += 1;
      if (calls === 2) set(7);
    });
    expect(await held.hold('u', 7, FAR)).toEqual({ id: expect.any(String), amountNano: 7 });
    expect(calls).toBe(2);
  });

  it('releases a hold once, giving back what it held', async () => {
    const { held } = setup({ u: 10 });
    const h = await held.hold('u', 6, FAR);
    expect(held.release(h.id!)).toBe(6);
    expect(held.heldNano('u')).toBe(0);
    expect(held.release(h.id!)).toBe(0);
    expect(held.release('never-held')).toBe(0);
    expect(held.heldNano('u')).toBe(0);
    expect((await held.hold('u', 10, FAR)).id).not.toBeNull();
  });

  it('counts charges not yet committed as spent, until their commit or their loss', async () => {
    const { held } = setup({ u: 10 });
    await held.hold('u', 0, FAR);
    held.addPending('u', 4);
    expect(await held.hold('u', 7, FAR)).toEqual({ id: null, availableNano: 6 });
    // The commit writes the charge: the balance is now 6 and nothing is pending.
    held.committed('u', 6, 4);
    expect(await held.hold('u', 7, FAR)).toEqual({ id: null, availableNano: 6 });
    expect((await held.hold('u', 6, FAR)).id).not.toBeNull();
    held.addPending('nobody-read', 5);
    held.committed('never-seen', 100);
    held.dropPending('never-seen', 1);

    const { held: lost } = setup({ v: 10 });
    await lost.hold('v', 0, FAR);
    lost.addPending('v', 4);
    lost.dropPending('v', 4);
    expect((await lost.hold('v', 10, FAR)).id).not.toBeNull();
  });

  it('follows commits that change the balance without settling anything', async () => {
    const { held } = setup({ u: 10 });
    await held.hold('u', 0, FAR);
    held.committed('u', 25);
    expect((await held.hold('u', 25, FAR)).id).not.toBeNull();
    expect(await held.hold('u', 1, FAR)).toEqual({ id: null, availableNano: 0 });
  });

  it('releases the holds past their expiry, and only those', async () => {
    const { held } = setup({ u: 100 });
    const due = await held.hold('u', 10, 1000);
    await held.hold('u', 20, 1000);
    const later = await held.hold('u', 30, 1001);
    expect(held.releaseExpired(999)).toBe(0);
    expect(held.releaseExpired(1000)).toBe(2);
    expect(held.heldNano('u')).toBe(30);
    expect(held.release(due.id!)).toBe(0);
    expect(held.releaseExpired(1000)).toBe(0);
    expect(held.releaseExpired()).toBe(1);
    expect(held.release(later.id!)).toBe(0);
    expect(held.heldNano('u')).toBe(0);
  });
});
