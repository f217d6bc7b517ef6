import { describe, expect, it } from 'vitest';
import { turnEnd } from './turn-end.js';

describe('turnEnd', () => {
  it('resolves after the I/O callbacks of the turn and with the immediates queued before it', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before'));
    const a = turnEnd().then(() => order.push('turn end'));
    queueMicrotask(() => order.push('microtask'));
    await a;
    expect(order).toEqual(['microtask', 'immediate queued before', 'turn end']);
  });

  it('gives every caller of one turn the same promise, and a new one in the next turn', async () => {
    const first = turnEnd();
    expect(turnEnd()).toBe(first);
    await first;
    const next = turnEnd();
    expect(next).not.toBe(first);
    await next;
  });
});
