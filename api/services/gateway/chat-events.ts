/** Opening an adapter's chat stream as a failover attempt: resolves once the first event is in. */
import { ProviderError } from '../../errors.js';
import type { ChatEvent, ChatRequest } from '../../providers/types.js';
import type { AttemptInput } from './failover.js';

export interface OpenedEvents {
  first: IteratorResult<ChatEvent>;
  iterator: AsyncIterator<ChatEvent>;
}

export async function openChatEvents(input: AttemptInput, build: (upstreamModel: string) => ChatRequest): Promise<OpenedEvents> {
  const adapter = input.candidate.provider.module.adapter;
  if (!adapter.chat) throw new ProviderError(`${input.candidate.provider.displayName} does not offer chat`, { kind: 'protocol' });
  const iterator = adapter.chat(build(input.candidate.upstreamModel), input.target, { signal: input.signal })[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { first, iterator };
}

/** The events of an opened stream, the first one included; a reader that stops early stops the stream. */
export async function* eventsOf(opened: OpenedEvents): AsyncGenerator<ChatEvent> {
  if (opened.first.done) return;
  let finished = false;
  try {
    yield opened.first.value;
    while (true) {
      const next = await opened.iterator.next();
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) opened.iterator.return?.().catch(() => {});
  }
}
