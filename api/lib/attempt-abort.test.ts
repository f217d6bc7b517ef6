import { describe, expect, it } from 'vitest';
import { AttemptAbort } from './attempt-abort.js';

describe('AttemptAbort', () => {
  it('tells its listeners once, and a signal taken before the abort follows it', () => {
    const abort = new AttemptAbort();
    const signal = abort.signal;
    let told = 0;
    abort.on('abort', () => (told += 1));
    const reason = new Error('client gone');
    abort.abort(reason);
    abort.abort(new Error('again'));
    expect(told).toBe(1);
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBe(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('gives a signal taken after the abort already aborted, with the same reason', () => {
    const abort = new AttemptAbort();
    const reason = new Error('timeout');
    abort.abort(reason);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
    expect(abort.signal).toBe(abort.signal);
  });

  it('aborts with an AbortError when given no reason', () => {
    const abort = new AttemptAbort();
    abort.abort();
    expect((abort.reason as Error).name).toBe('AbortError');
    expect(abort.signal.reason).toBe(abort.reason);
  });
});
