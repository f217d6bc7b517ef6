import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Deadlines } from './deadlines.js';

/** Waits until `done()` holds (checked every 5 ms, for at most 2 s). */
async function until(done: () => boolean) {
  for (let waited = 0; !done() && waited < 2000; waited += 5) await sleep(5);
}

describe('attempt deadlines', () => {
  it('calls each deadline once it is due, in order, and never a removed one', async () => {
    const deadlines = new Deadlines(40);
    const due: { name: string; early: boolean }[] = [];
    const add = (name: string) => {
      const d = deadlines.add(() => due.push({ name, early: performance.now() < d.at }));
      return d;
    };
    add('a');
    await sleep(5);
    const b = add('b');
    await sleep(5);
    add('c');
    deadlines.remove(b);
    deadlines.remove(b); // a second removal changes nothing
    await until(() => due.length >= 2);
    await sleep(60); // time enough for `b`, were it still there
    expect(due).toEqual([
      { name: 'a', early: false },
      { name: 'c', early: false },
    ]);

    // After the list ran empty, a new deadline sets the timer again.
    add('d');
    const e = add('e');
    deadlines.remove(e);
    await until(() => due.length >= 3);
    await sleep(60);
    expect(due.map((x) => x.name)).toEqual(['a', 'c', 'd']);
  });

  it('waits for the new earliest deadline when the earliest was removed before its timer fired', async () => {
    const deadlines = new Deadlines(40);
    const due: { early: boolean }[] = [];
    const first = deadlines.add(() => due.push({ early: true }));
    await sleep(20);
    const second = deadlines.add(() => due.push({ early: performance.now() < second.at }));
    deadlines.remove(first);
    // The timer set for `first` fires with nothing due, and is set again for `second`.
    await until(() => due.length >= 1);
    expect(due).toEqual([{ early: false }]);
  });
});
