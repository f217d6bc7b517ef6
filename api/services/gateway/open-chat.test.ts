import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../providers/types.js';
import { eventsOf, type OpenedEvents } from './open-chat.js';

const text = (t: string) => ({ type: 'text', text: t }) as ChatEvent;

/** An adapter's stream of `count` text events that notes whether it was stopped. */
async function opened(count: number) {
  const state = { stopped: false, finished: false };
  async function* stream() {
    try {
      for (let i = 1; i < count; i++) yield text(`e${i}`);
      state.finished = true;
    } finally {
      if (!state.finished) state.stopped = true;
    }
  }
  const iterator = stream();
  const o: OpenedEvents = { first: { done: false, value: text('e0') }, iterator };
  return { o, state };
}

describe('eventsOf', () => {
  it('gives the first event and then the rest, in order', async () => {
    const { o, state } = await opened(3);
    const seen: string[] = [];
    for await (const e of eventsOf(o)) seen.push((e as { text: string }).text);
    expect(seen).toEqual(['e0', 'e1', 'e2']);
    expect(state).toEqual({ stopped: false, finished: true });
  });

  it("stops the adapter's stream when its reader stops early", async () => {
    const { o, state } = await opened(10);
    for await (const e of eventsOf(o)) if ((e as { text: string }).text === 'e2') break;
    await new Promise((r) => setImmediate(r));
    expect(state.stopped).toBe(true);
  });
});
