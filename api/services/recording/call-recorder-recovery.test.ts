/**
 * The recorder with its journal and the hub's flush hooks on a real SQLite file: a call's charge
 * journaled with its row, the journal emptied once the rows have committed, a journal that cannot
 * be written (calls then wait for the database), and a restart that writes what the previous run
 * journaled but did not commit — with its charges, once, and not the rows that had committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finalRow, hubRecorder, watchingHook, written } from '../../tests/helpers/recorder-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import type { FlushHook } from './call-recorder.js';

const openStore = tempStores();

const journalFiles = (dir: string) => fs.readdirSync(path.join(dir, 'journal'));
const journalEntries = (dir: string) =>
  journalFiles(dir)
    .flatMap((f) => fs.readFileSync(path.join(dir, 'journal', f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { row: { id: string; status: string }; hooks?: Record<string, unknown> });

describe('call recorder journal', () => {
  it("journals each call's charge with its row, and leaves no file behind once the rows have committed", async () => {
    const store = await openStore();
    const { recorder, ledger, settle, journal } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    await recorder.commit(await settle(finalRow('a', { creditsNano: 100_000, model: 'm-a' })));
    await recorder.commit(finalRow('free'));
    recorder.enqueue(finalRow('p', { status: 'processing' }));
    // Journaled (the progress row is not), not yet written: the window is long.
    expect(journalEntries(store.dir).map((e) => [e.row.id, e.hooks])).toEqual([
      ['a', { credits: { userDid: 'u1', chargeNano: 100_000, model: 'm-a', reservationId: null } }],
      ['free', undefined],
    ]);
    expect(await written(store.sequelize).calls()).toEqual([]);
    expect(recorder.pending).toBe(3);
    await recorder.settled();
    expect(await written(store.sequelize).calls()).toEqual(['a:success', 'free:success', 'p:processing']);
    expect(await written(store.sequelize).charges()).toEqual([['a', -100_000, 900_000]]);
    journal!.close();
    expect(journalFiles(store.dir)).toEqual([]);
  });

  it('settled() called while a batch is written waits for that batch', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await recorder.commit(finalRow('a'));
    const first = recorder.settled();
    await new Promise((r) => setImmediate(r));
    // The queue is empty now; the batch holding 'a' is being written.
    expect(recorder.pending).toBe(0);
    await recorder.settled();
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
    await first;
  });

  it("makes calls wait for the database once a hook's journal data cannot be written", async () => {
    const store = await openStore();
    const { recorder, logs } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    let throwOnce = true;
    recorder.onFlush({
      name: 'odd',
      write: async () => {},
      journal: () => {
        if (!throwOnce) return undefined;
        throwOnce = false;
        throw new Error('not serializable');
      },
    });
    await recorder.commit(finalRow('a'));
    // Resolved once committed: the long window did not hold it.
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
    await recorder.commit(finalRow('b'));
    expect(await written(store.sequelize).calls()).toEqual(['a:success', 'b:success']);
    expect(journalEntries(store.dir)).toEqual([]);
    expect(logs.filter((l) => l.msg === 'the call journal cannot be written; calls now wait for the database').map((l) => (l.err as { message: string }).message)).toEqual([
      'not serializable',
    ]);
  });
});

describe('call recorder recovery', () => {
  it('writes the calls an earlier run journaled but did not commit, with their charges, once', async () => {
    const store = await openStore();
    const earlier = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await earlier.ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    // Committed in the earlier run: 'done', and 'open' as a progress row only.
    await earlier.recorder.commit(await earlier.settle(finalRow('done', { creditsNano: 10_000 })));
    earlier.recorder.enqueue(finalRow('open', { status: 'processing' }));
    await earlier.recorder.settled();
    // Journaled, then the process ends before its batch.
    await earlier.recorder.commit(await earlier.settle(finalRow('a', { creditsNano: 100_000 })));
    await earlier.recorder.commit(await earlier.settle(finalRow('open', { creditsNano: 30_000 })));
    await earlier.recorder.commit(finalRow('free'));
    earlier.journal!.close();
    expect(await written(store.sequelize).calls()).toEqual(['done:success', 'open:processing']);

    const next = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    const watch = watchingHook();
    next.recorder.onFlush(watch);
    expect(await next.recorder.recover()).toBe(3);
    expect(watch.batches).toEqual([['a', 'open', 'free']]);
    expect(await written(store.sequelize).calls()).toEqual(['a:success', 'done:success', 'free:success', 'open:success']);
    expect(await written(store.sequelize).charges()).toEqual([
      ['done', -10_000, 990_000],
      ['a', -100_000, 890_000],
      ['open', -30_000, 860_000],
    ]);
    expect(await written(store.sequelize).buckets()).toEqual([['u1', 4, 8, 140_000]]);
    expect(next.logs.filter((l) => l.msg === 'wrote calls journaled by a previous run').map((l) => [l.level, l.count])).toEqual([['warn', 3]]);
    // The earlier run's files are gone: a later start finds nothing to write.
    next.journal!.close();
    expect(journalFiles(store.dir)).toEqual([]);
    const third = hubRecorder(store, { journaled: true });
    expect(await third.recorder.recover()).toBe(0);
    expect(third.logs).toEqual([]);
  });

  it('finds every committed row among more journaled calls than one query asks for', async () => {
    const store = await openStore();
    const earlier = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await earlier.ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    const ids = Array.from({ length: 501 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    await Promise.all(ids.map((id) => earlier.recorder.commit(finalRow(id))));
    await earlier.recorder.settled();
    // One more, journaled only: the file (with every line above) is left for the next start.
    await earlier.recorder.commit(await earlier.settle(finalRow('last', { creditsNano: 5 })));
    earlier.journal!.close();

    const next = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    const watch = watchingHook();
    next.recorder.onFlush(watch);
    expect(await next.recorder.recover()).toBe(1);
    expect(watch.batches).toEqual([['last']]);
    expect(await written(store.sequelize).charges()).toEqual([['last', -5, 999_995]]);
  });

  it('gives each hook back only the data it journaled', async () => {
    const store = await openStore();
    const note = (restored: [string, unknown][]): FlushHook => ({
      name: 'note',
      write: async () => {},
      journal: (row) => (row.id === 'a' ? { for: row.id } : undefined),
      restore: (row, data) => void restored.push([row.id, data]),
    });
    const earlier = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    earlier.recorder.onFlush(note([]));
    await earlier.ledger.grant({ userDid: 'u1', amountNano: 1_000_000 });
    await earlier.recorder.commit(finalRow('a'));
    // Data of the ledger's hook only.
    await earlier.recorder.commit(await earlier.settle(finalRow('b', { creditsNano: 20_000 })));
    earlier.journal!.close();

    const next = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    const restored: [string, unknown][] = [];
    next.recorder.onFlush(note(restored));
    expect(await next.recorder.recover()).toBe(2);
    expect(restored).toEqual([['a', { for: 'a' }]]);
    expect(await written(store.sequelize).charges()).toEqual([['b', -20_000, 980_000]]);
  });

  it('recovers nothing without a journal', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, {});
    expect(await recorder.recover()).toBe(0);
  });
});
