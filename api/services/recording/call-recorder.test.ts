/**
 * The call recorder on a real SQLite file: journaled rows are batched after a short window,
 * `settled()` waits for what was recorded before it, a window timer that finds the queue
 * already written leaves the recorder able to write the next rows, and rows that keep coming one
 * at a time are written one batch per window (not one batch per write); without a journal, commit()
 * waits for the row and fails with its batch; calls settled in one turn are journaled with one write
 * at its end, or wait for the database when the journal cannot be written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { until } from '../../tests/helpers/recorder-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import { openCallJournal } from './call-journal.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { createCallRecorder } from './call-recorder.js';
import { writeTransaction } from '../../store/write-transaction.js';

const openStore = tempStores();
afterEach(() => {
  vi.useRealTimers();
});

const row = (id: string): ModelCallRow =>
  modelCallRowOf(id, { model: 'gpt-4o-mini', status: 'success', stream: false, inputTokens: 2, outputTokens: 3, duration: 1, ttfb: 1, providerTtfb: 1, userDid: 'user_1', createdAt: new Date() });

const idsIn = (sequelize: Sequelize) => async () =>
  (await sequelize.query<{ id: string }>('SELECT "id" FROM model_calls ORDER BY "id"', { type: QueryTypes.SELECT })).map((r) => r.id);

async function setup(commitWindowMs: number) {
  const { dir, sequelize, models } = await openStore();
  const journal = openCallJournal({ dir: path.join(dir, 'journal') });
  const recorder = createCallRecorder(models, createLogger({ level: 'silent' }), { journal, commitWindowMs });
  return { recorder, ids: idsIn(sequelize), sequelize, models, journal, journalDir: path.join(dir, 'journal') };
}

describe('call recorder with a journal', () => {
  it('answers commit() at once, writes within the window, and settled() waits for the rows', async () => {
    const { recorder, ids, journalDir } = await setup(10_000);
    await recorder.commit(row('a'));
    await recorder.commit(row('b'));
    // Journaled, not yet written: the window is long.
    expect(await ids()).toEqual([]);
    expect(fs.readFileSync(path.join(journalDir, fs.readdirSync(journalDir)[0]!), 'utf8').trim().split('\n')).toHaveLength(2);
    await recorder.settled();
    expect(await ids()).toEqual(['a', 'b']);
    await recorder.flush();
  });

  it('keeps writing after its window timer finds the queue already written', async () => {
    const { recorder, ids } = await setup(20);
    // The windows end when the test says (timers only; the database runs in real time).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await recorder.commit(row('a'));
    const first = recorder.settled();
    await new Promise((r) => setImmediate(r));
    // 'a' is being written; 'b' arrives and sets the window timer, and waits for it.
    await recorder.commit(row('b'));
    await first;
    vi.advanceTimersByTime(20);
    await until(async () => (await ids()).length === 2);
    expect(await ids()).toEqual(['a', 'b']);
    vi.advanceTimersByTime(20);
    // Any timer has fired with nothing left to write; later rows are still written.
    await recorder.commit(row('c'));
    await recorder.settled();
    expect(await ids()).toEqual(['a', 'b', 'c']);
    await recorder.commit(row('d'));
    vi.advanceTimersByTime(19);
    await new Promise((r) => setImmediate(r));
    expect(await ids()).toEqual(['a', 'b', 'c']);
    vi.advanceTimersByTime(1);
    await until(async () => (await ids()).length === 4);
    expect(await ids()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('writes rows that keep coming one at a time in one batch per window, not one per write', async () => {
    const windowMs = 40;
    const { recorder, ids, sequelize } = await setup(windowMs);
    const batches: number[] = [];
    recorder.onFlush({ name: 'count', write: async (rows) => void batches.push(rows.length) });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    /** Lets the recorder run: a write it began is committed once a write queued after it is. */
    const idle = async () => {
      await new Promise((r) => setImmediate(r));
      await writeTransaction(sequelize, async () => {});
    };
    const written: string[] = [];
    for (const window of [0, 1]) {
      // Ten rows 3 ms apart: all within one window, none written before it ends.
      for (let i = 0; i < 10; i++) {
        const id = `r${window}${i}`;
        await recorder.commit(row(id));
        written.push(id);
        await idle();
        vi.advanceTimersByTime(3);
      }
      expect(await ids()).toEqual(written.slice(0, window * 10));
      vi.advanceTimersByTime(windowMs - 30);
      await until(async () => batches.length === window + 1);
      await idle();
      expect(await ids()).toEqual(written);
    }
    expect(batches).toEqual([10, 10]);
    await recorder.flush();
  });
});

describe('call recorder: calls settled in one turn', () => {
  const journalLines = (dir: string) =>
    fs
      .readdirSync(dir)
      .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
      .filter(Boolean);

  it('journals their rows with one write at the end of the turn, before any of them resolves', async () => {
    const { recorder, ids, journalDir } = await setup(10_000);
    const seen: number[] = [];
    const commits = ['a', 'b', 'c'].map((id) => recorder.commit(row(id), true).then(() => seen.push(journalLines(journalDir).length)));
    // Nothing is written in the turn the calls settled in.
    expect(journalLines(journalDir)).toHaveLength(0);
    await Promise.all(commits);
    // Each caller resolved with all three lines already in the journal.
    expect(seen).toEqual([3, 3, 3]);
    expect(journalLines(journalDir).map((l) => (JSON.parse(l) as { row: { id: string } }).row.id)).toEqual(['a', 'b', 'c']);
    expect(await ids()).toEqual([]);
    await recorder.settled();
    expect(await ids()).toEqual(['a', 'b', 'c']);
    await recorder.flush();
  });

  it('writes them on flush() called in the same turn', async () => {
    const { recorder, ids } = await setup(10_000);
    const commits = ['a', 'b'].map((id) => recorder.commit(row(id), true));
    await recorder.flush();
    expect(await ids()).toEqual(['a', 'b']);
    await Promise.all(commits);
  });

  it('makes them wait for the database when the journal cannot be written', async () => {
    const { recorder, ids, journal, journalDir } = await setup(10_000);
    journal.close();
    fs.rmSync(journalDir, { recursive: true, force: true });
    await Promise.all(['a', 'b'].map((id) => recorder.commit(row(id), true)));
    // Resolved only once committed: the long window did not hold them.
    expect(await ids()).toEqual(['a', 'b']);
    await recorder.commit(row('c'));
    expect(await ids()).toEqual(['a', 'b', 'c']);
    await recorder.flush();
  });
});

describe('call recorder recovery', () => {
  it('writes journaled rows of an earlier run with their creation time, in either date form', async () => {
    const { journalDir, ids, sequelize, models } = await setup(10_000);
    const created = new Date(Date.UTC(2026, 10, 27, 12, 0, 0, 250));
    // A line as this build writes it (createdAt in epoch ms, no updatedAt), and one of an older run (ISO text).
    const earlier = openCallJournal({ dir: journalDir });
    const { journalLine } = await import('./journal-line.js');
    earlier.append('a', journalLine({ ...row('a'), createdAt: created }));
    earlier.append('b', `${JSON.stringify({ row: { ...row('b'), createdAt: created, updatedAt: created } })}\n`);
    earlier.close();

    const recorder = createCallRecorder(models, createLogger({ level: 'silent' }), { journal: openCallJournal({ dir: journalDir }), commitWindowMs: 10_000 });
    expect(await recorder.recover()).toBe(2);
    expect(await ids()).toEqual(['a', 'b']);
    const rows = await sequelize.query<{ createdAt: string }>('SELECT "createdAt" FROM model_calls ORDER BY "id"', { type: QueryTypes.SELECT });
    // Stored as every row's date is (a date, not the journal's number), at the call's creation time.
    for (const r of rows) {
      expect(r.createdAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+00:00$/);
      expect(new Date(r.createdAt).getTime()).toBe(created.getTime());
    }
  });
});

describe('call recorder without a journal', () => {
  it('resolves commit() once its row is written, and rejects it when its batch cannot be written', async () => {
    const { sequelize, models } = await openStore();
    const recorder = createCallRecorder(models, createLogger({ level: 'silent' }), { attempts: 2, retryDelayMs: 1, commitWindowMs: 5 });
    const ids = idsIn(sequelize);

    await recorder.commit(row('written'));
    expect(await ids()).toEqual(['written']);

    // A progress row nobody waits for shares the batch of a row the database refuses (no model).
    recorder.enqueue({ ...row('progress'), status: 'processing' });
    await expect(recorder.commit({ ...row('refused'), model: null as unknown as string })).rejects.toThrow();
    expect(await ids()).toEqual(['written']);

    await recorder.commit(row('after'));
    expect(await ids()).toEqual(['after', 'written']);
  });
});
