/** Deadlines on the test's clock: timers and performance.now() are advanced by hand, instant by instant. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from './deadlines.js';

describe('attempt deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Records each deadline's name and the clock when it was called. */
  const recorder = (deadlines: Deadlines) => {
    const due: [string, number][] = [];
    const start = performance.now();
    const add = (name: string) => deadlines.add(() => due.push([name, performance.now() - start]));
    return { due, add };
  };

  it('calls each deadline once it is due, in order, and never a removed one', () => {
    const deadlines = new Deadlines(40);
    const { due, add } = recorder(deadlines);
    add('a');
    vi.advanceTimersByTime(5);
    const b = add('b');
    vi.advanceTimersByTime(5);
    add('c');
    deadlines.remove(b);
    deadlines.remove(b); // a second removal changes nothing
    vi.advanceTimersByTime(29);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toEqual([['a', 40]]);
    vi.advanceTimersByTime(60);
    expect(due).toEqual([
      ['a', 40],
      ['c', 50],
    ]);

    // After the list ran empty, a new deadline sets the timer again.
    add('d');
    const e = add('e');
    deadlines.remove(e);
    vi.advanceTimersByTime(39);
    expect(due).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(due.map(([name]) => name)).toEqual(['a', 'c', 'd']);
    expect(due.at(-1)).toEqual(['d', 140]);
  });

  it('calls every deadline due at the same instant', () => {
    const deadlines = new Deadlines(10);
    const { due, add } = recorder(deadlines);
    for (const name of ['x', 'y', 'z']) add(name);
    vi.advanceTimersByTime(10);
    expect(due).toEqual([
      ['x', 10],
      ['y', 10],
      ['z', 10],
    ]);
  });

  it('waits for the new earliest deadline when the earliest was removed before its timer fired', () => {
    const deadlines = new Deadlines(40);
    const { due, add } = recorder(deadlines);
    const first = add('first');
    vi.advanceTimersByTime(20);
    add('second');
    deadlines.remove(first);
    // The timer set for `first` fires at 40 with nothing due, and is set again for `second`.
    vi.advanceTimersByTime(39);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toEqual([['second', 60]]);
    vi.advanceTimersByTime(1000);
    expect(due).toHaveLength(1);
  });

  it('keeps the list whole when a middle, the first or the last deadline is removed', () => {
    const deadlines = new Deadlines(10);
    const { due, add } = recorder(deadlines);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => {
      const deadline = add(name);
      vi.advanceTimersByTime(1);
      return deadline;
    });
    deadlines.remove(b!);
    deadlines.remove(a!);
    deadlines.remove(d!);
    expect(c).toMatchObject({ prev: null, next: null });
    add('e');
    vi.advanceTimersByTime(100);
    expect(due).toEqual([
      ['c', 12],
      ['e', 14],
    ]);
  });

  it('keeps one timer, set for the earliest deadline, however many deadlines wait', () => {
    const deadlines = new Deadlines(40);
    const { due, add } = recorder(deadlines);
    const start = performance.now();
    for (const name of ['a', 'b', 'c']) add(name);
    expect(vi.getTimerCount()).toBe(1);
    // The timer wakes once, when the first deadline falls due: not before, polling.
    vi.advanceTimersToNextTimer();
    expect(performance.now() - start).toBe(40);
    expect(due.map(([name]) => name)).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
