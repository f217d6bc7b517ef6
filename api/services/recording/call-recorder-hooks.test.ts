/**
 * The recorder's batches with the hub's flush hooks (the ledger's credit charges, the usage
 * buckets) on a real SQLite file: what a batch writes with its rows, retries with their backoff
 * (rows and charges rolled back together, then written once), a batch given up after its tries,
 * and how rows queued more than once, progress rows and long batches are written.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CREATED, finalRow, hubRecorder, watchingHook, written, until } from '../../tests/helpers/recorder-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import type { ModelCallRow } from '../../store/models/model-call.js';

const openStore = tempStores();
afterEach(() => {
  vi.useRealTimers();
});

describe('call recorder flush hooks', () => {
  it("writes a batch's final rows with their charges and usage buckets, and gives the hooks only those rows", async () => {
    const store = await openStore();
    const { recorder, ledger, settle } = hubRecorder(store, { commitWindowMs: 10_000 });
    const watch = watchingHook();
    recorder.onFlush(watch);
    const rows = written(store.sequelize);
    await ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    await ledger.grant({ userDid: 'u2', amountNano: 500_000 });

    recorder.enqueue(finalRow('p', { status: 'processing', creditsNano: 0 }));
    expect(recorder.pending).toBe(1);
    const calls = [
      await settle(finalRow('a', { creditsNano: 100_000 })),
      await settle(finalRow('b', { creditsNano: 250_000, status: 'failed' })),
      await settle(finalRow('c', { creditsNano: 40_000, userDid: 'u2', inputTokens: 7 })),
    ];
    await Promise.all(calls.map((row) => recorder.commit(row)));
    expect(recorder.pending).toBe(0);

    expect(watch.batches).toEqual([['a', 'b', 'c']]);
    expect(await rows.calls()).toEqual(['a:success', 'b:failed', 'c:success', 'p:processing']);
    expect(await rows.charges()).toEqual([
      ['a', -100_000, 900_000],
      ['b', -250_000, 650_000],
      ['c', -40_000, 460_000],
    ]);
    expect(await rows.buckets()).toEqual([
      ['u1', 2, 4, 350_000],
      ['u2', 1, 7, 40_000],
    ]);
    expect((await ledger.balance('u1')).balanceNano).toBe(650_000);
  });

  it('writes no hook for a batch of progress rows only', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { commitWindowMs: 10_000 });
    const watch = watchingHook();
    recorder.onFlush(watch);
    recorder.enqueue(finalRow('p1', { status: 'processing' }));
    recorder.enqueue(finalRow('p2', { status: 'processing' }));
    expect(recorder.pending).toBe(2);
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    expect(await written(store.sequelize).calls()).toEqual(['p1:processing', 'p2:processing']);
    expect(watch.batches).toEqual([]);
  });

  it('writes a row handed over again before its batch once, as last handed over, and answers every waiter', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { commitWindowMs: 10_000 });
    const watch = watchingHook();
    recorder.onFlush(watch);
    recorder.enqueue(finalRow('a', { status: 'processing' }));
    const first = recorder.commit(finalRow('a', { status: 'processing', inputTokens: 1 }));
    const last = recorder.commit(finalRow('a', { status: 'success', inputTokens: 9 }));
    expect(recorder.pending).toBe(1);
    await Promise.all([first, last]);
    expect(watch.batches).toEqual([['a']]);
    const [stored] = await store.models.ModelCall.findAll({ raw: true });
    expect(stored).toMatchObject({ id: 'a', status: 'success', inputTokens: 9 });
  });

  it("stamps each row with its batch's time, keeping the creation time a row has", async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { commitWindowMs: 0 });
    const before = Date.now();
    const given = finalRow('given', { updatedAt: CREATED });
    const fresh = finalRow('fresh', { createdAt: undefined });
    await Promise.all([recorder.commit(given), recorder.commit(fresh)]);
    const after = Date.now();
    const rows = await store.models.ModelCall.findAll({ order: [['id', 'ASC']] });
    const [f, g] = rows.map((r) => ({ created: r.createdAt.getTime(), updated: r.updatedAt.getTime() }));
    expect(g!.created).toBe(CREATED.getTime());
    expect(g!.updated).toBeGreaterThanOrEqual(before);
    expect(g!.updated).toBeLessThanOrEqual(after);
    expect(f!.created).toBe(f!.updated);
    expect(f!.updated).toBeGreaterThanOrEqual(before);
    expect(f!.updated).toBeLessThanOrEqual(after);
  });

  it('writes a batch longer than one statement takes in one transaction', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { commitWindowMs: 10_000, maxBatch: 2 });
    const watch = watchingHook();
    recorder.onFlush(watch);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(ids.map((id) => recorder.commit(finalRow(id))));
    expect(watch.batches).toEqual([ids]);
    expect(await written(store.sequelize).calls()).toEqual(ids.map((id) => `${id}:success`));
  });
});

describe('call recorder retries', () => {
  /** A hook that fails its first `failures` writes, after the hooks before it wrote in the transaction. */
  const failing = (failures: number) => {
    const hook = { name: 'flaky', tries: 0, write: async () => {
      hook.tries += 1;
      if (hook.tries <= failures) throw new Error(`flaky write ${hook.tries}`);
    } };
    return hook;
  };

  it('rolls rows and charges back together, tries again after 100 then 200 ms, and writes them once', async () => {
    const store = await openStore();
    const { recorder, ledger, settle, logs } = hubRecorder(store, { commitWindowMs: 0, attempts: 3, retryDelayMs: 100 });
    const flaky = failing(2);
    recorder.onFlush(flaky);
    const rows = written(store.sequelize);
    await ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    const committed = recorder.commit(await settle(finalRow('a', { creditsNano: 300_000 })));
    for (const [tries, delay] of [
      [1, 100],
      [2, 200],
    ] as const) {
      // The failed try is rolled back: no row, no charge, no bucket; the retry waits its delay.
      await until(() => flaky.tries === tries && vi.getTimerCount() === 1);
      expect(await rows.calls()).toEqual([]);
      expect(await rows.charges()).toEqual([]);
      expect(await rows.buckets()).toEqual([]);
      vi.advanceTimersByTime(delay - 1);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(1);
      expect(vi.getTimerCount()).toBe(0);
    }
    await committed;
    expect(flaky.tries).toBe(3);
    expect(await rows.calls()).toEqual(['a:success']);
    expect(await rows.charges()).toEqual([['a', -300_000, 700_000]]);
    expect(await rows.buckets()).toEqual([['u1', 1, 2, 300_000]]);
    const failures = logs.filter((l) => l.msg === 'writing model call records failed');
    expect(failures.map((l) => [l.level, l.rows, l.attempt, (l.err as { message: string }).message])).toEqual([
      ['error', 1, 1, 'flaky write 1'],
      ['error', 1, 2, 'flaky write 2'],
    ]);
  });

  it('by default batches rows nobody waits for after 20 ms, and tries a batch three times, 50 then 100 ms apart', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store);
    const flaky = failing(2);
    recorder.onFlush(flaky);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    recorder.enqueue(finalRow('a'));
    vi.advanceTimersByTime(19);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(vi.getTimerCount()).toBe(0);
    for (const [tries, delay] of [
      [1, 50],
      [2, 100],
    ] as const) {
      await until(() => flaky.tries === tries && vi.getTimerCount() === 1);
      vi.advanceTimersByTime(delay - 1);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(1);
    }
    await until(async () => (await written(store.sequelize).calls()).length === 1);
    expect(flaky.tries).toBe(3);
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
  });

  it('gives a batch up after its tries: nothing written, the hooks told of its final rows, its waiters rejected', async () => {
    const store = await openStore();
    const { recorder, ledger, settle, logs } = hubRecorder(store, { commitWindowMs: 10_000, attempts: 2, retryDelayMs: 100 });
    const watch = watchingHook();
    recorder.onFlush(watch);
    const flaky = failing(2);
    recorder.onFlush(flaky);
    const rows = written(store.sequelize);
    await ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    recorder.enqueue(finalRow('p', { status: 'processing' }));
    const calls = [await settle(finalRow('a', { creditsNano: 100_000 })), await settle(finalRow('b', { creditsNano: 200_000 }))];
    const results: PromiseSettledResult<void>[] = [];
    for (const row of calls) void recorder.commit(row).then((v) => void results.push({ status: 'fulfilled', value: v }), (reason: unknown) => void results.push({ status: 'rejected', reason }));
    await until(() => flaky.tries === 1 && vi.getTimerCount() === 1);
    vi.advanceTimersByTime(100);
    // No wait after the last try: its waiters are told at once.
    await until(() => results.length === 2);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual(['flaky write 2', 'flaky write 2']);
    expect(flaky.tries).toBe(2);
    expect(watch.lost).toEqual([['a', 'b']]);
    expect(await rows.calls()).toEqual([]);
    expect(await rows.charges()).toEqual([]);
    // The ledger let go of the charges it could not write (logged for each call).
    expect(await ledger.balance('u1')).toEqual({ userDid: 'u1', balanceNano: 1_000_000, pendingNano: 0 });
    expect(logs.filter((l) => l.msg === "a call's charge was not written with its record").map((l) => [l.modelCallId, l.creditsNano])).toEqual([
      ['a', 100_000],
      ['b', 200_000],
    ]);
    expect(logs.filter((l) => l.msg === 'writing model call records failed').map((l) => l.attempt)).toEqual([1, 2]);

    // The next batch is written as usual.
    const next: ModelCallRow = await settle(finalRow('c', { creditsNano: 50_000 }));
    await recorder.commit(next);
    expect(await rows.calls()).toEqual(['c:success']);
    expect(await rows.charges()).toEqual([['c', -50_000, 950_000]]);
  });
});
