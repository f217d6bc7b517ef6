import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import type { ChatEvent } from '../../providers/types.js';
import type { AttemptInput } from './failover.js';
import { eventsOf, openChat, type OpenedEvents } from './open-chat.js';

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

  it('gives nothing for a stream that ended before its first event', async () => {
    const iterator = { next: async () => ({ done: true, value: undefined }) as IteratorResult<ChatEvent> };
    const seen: unknown[] = [];
    for await (const e of eventsOf({ first: { done: true, value: undefined }, iterator })) seen.push(e);
    expect(seen).toEqual([]);
  });

  it("stops a stream only when its reader stops early, and stops one without `return` quietly", async () => {
    let returns = 0;
    const counted = (count: number): AsyncIterator<ChatEvent> => {
      let i = 1;
      return {
        next: async () => (i < count ? { done: false, value: text(`e${i++}`) } : { done: true, value: undefined }),
        return: async () => {
          returns += 1;
          return { done: true, value: undefined };
        },
      };
    };
    for await (const _ of eventsOf({ first: { done: false, value: text('e0') }, iterator: counted(3) }));
    expect(returns).toBe(0);
    for await (const _ of eventsOf({ first: { done: false, value: text('e0') }, iterator: counted(3) })) break;
    expect(returns).toBe(1);

    const noReturn: AsyncIterator<ChatEvent> = { next: async () => ({ done: false, value: text('more') }) };
    const seen: string[] = [];
    for await (const e of eventsOf({ first: { done: false, value: text('e0') }, iterator: noReturn })) {
      seen.push((e as { text: string }).text);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['e0', 'more']);
  });
});

describe('openChat', () => {
  it('refuses a provider that neither speaks the wire nor has a chat adapter', async () => {
    const provider = { displayName: 'Pictures Only', module: { adapter: {}, manifest: { displayName: 'Pictures Only' } } };
    const input = { candidate: { provider, upstreamModel: 'm' } } as unknown as AttemptInput;
    const err = await openChat(input, { stream: false, chatRequest: () => ({ model: 'm', messages: [] }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ message: 'Pictures Only does not offer chat', kind: 'protocol' });
  });
});

