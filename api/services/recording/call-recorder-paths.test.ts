/**
 * Less travelled paths of the call recorder on a real SQLite file: a zero window, progress rows
 * handed to commit(), settled() and flush() while a batch is written or nothing is, a journal that
 * fails on a single append, several turns of calls settled together, and journaled hook data
 * without a restore.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { finalRow, hubRecorder, written, until } from '../../tests/helpers/recorder-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';

const openStore = tempStores();
afterEach(() => {
  vi.useRealTimers();
});

const journalLines = (dir: string) =>
  fs
    .readdirSync(path.join(dir, 'journal'))
    .flatMap((f) => fs.readFileSync(path.join(dir, 'journal', f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { row: { id: string } }).row.id);

describe('call recorder paths', () => {
  it('with a zero window writes rows nobody waits for at the next turn, with no timer', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { commitWindowMs: 0 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    recorder.enqueue(finalRow('a'));
    expect(vi.getTimerCount()).toBe(0);
    await until(async () => (await written(store.sequelize).calls()).length === 1);
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
  });

  it('does not journal a progress row handed to commit(): it waits for the database', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await recorder.commit(finalRow('p', { status: 'processing' }));
    expect(await written(store.sequelize).calls()).toEqual(['p:processing']);
    expect(journalLines(store.dir)).toEqual([]);
  });

  it('settled() and flush() return at once when nothing is recorded, and flush() waits for a batch being written', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await recorder.settled();
    await recorder.flush();
    await recorder.commit(finalRow('a'));
    const first = recorder.settled();
    await new Promise((r) => setImmediate(r));
    // The queue is empty and nothing is scheduled; the batch holding 'a' is being written.
    expect(recorder.pending).toBe(0);
    await recorder.flush();
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
    await first;
  });

  it('makes a call wait for the database when its journal append fails', async () => {
    const store = await openStore();
    const { recorder, journal, logs } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    journal!.close();
    fs.rmSync(path.join(store.dir, 'journal'), { recursive: true, force: true });
    await recorder.commit(finalRow('a'));
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
    expect(logs.map((l) => l.msg)).toEqual(['the call journal cannot be written; calls now wait for the database']);
  });

  it('journals the calls of each turn with a write of their own', async () => {
    const store = await openStore();
    const { recorder } = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    await Promise.all(['a', 'b'].map((id) => recorder.commit(finalRow(id), true)));
    await Promise.all(['c', 'd'].map((id) => recorder.commit(finalRow(id), true)));
    expect(journalLines(store.dir)).toEqual(['a', 'b', 'c', 'd']);
    await recorder.settled();
    expect(await written(store.sequelize).calls()).toEqual(['a:success', 'b:success', 'c:success', 'd:success']);
  });

  it('recovers rows whose journaled hook data has no restore', async () => {
    const store = await openStore();
    const keepsNote = { name: 'note', write: async () => {}, journal: () => ({ kept: true }) };
    const earlier = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    earlier.recorder.onFlush(keepsNote);
    await earlier.recorder.commit(finalRow('a'));
    earlier.journal!.close();
    const next = hubRecorder(store, { journaled: true, commitWindowMs: 10_000 });
    next.recorder.onFlush(keepsNote);
    expect(await next.recorder.recover()).toBe(1);
    expect(await written(store.sequelize).calls()).toEqual(['a:success']);
  });
});
