/**
 * One chat attempt, for every chat route: the request goes up on the client's own wire when the
 * provider speaks it (same wire: relayed as it is), else through the provider's chat adapter as the
 * hub's ChatRequest. Routes say what they have in both forms and never ask which provider answers.
 *
 * A non-streamed answer is read whole inside the attempt, so an upstream that fails halfway through
 * it fails the attempt, and failover tries the next credential before anything reaches the client.
 */
import { ProviderError } from '../../errors.js';
import type { ChatEvent, ChatRequest, OpenAIChatDialect, WireFormat } from '../../providers/types.js';
import type { RelayedWhole, RelayReader, RelayStream } from '../formats/chat-answer.js';
import type { AttemptInput } from './failover.js';

export interface ChatOpenRequest {
  stream: boolean;
  /** The request as the hub's ChatRequest. */
  chatRequest(upstreamModel: string): ChatRequest;
  /** For a client format that providers may speak themselves: the request as it is, and its answer's reader. */
  sameWire?: {
    wire: WireFormat;
    /** The request in that wire format, for the upstream's model name (and the provider's dialect of it). */
    body(upstreamModel: string, dialect?: OpenAIChatDialect): Record<string, unknown>;
    /** False when this provider must get the request through its adapter after all. */
    fits?(dialect?: OpenAIChatDialect): boolean;
    /** The client's headers this wire passes on. */
    headers?: Record<string, string>;
    relay: RelayReader;
  };
}

export interface OpenedEvents {
  first: IteratorResult<ChatEvent>;
  iterator: AsyncIterator<ChatEvent>;
}

/** What an attempt produced: the upstream's own answer (same wire), or the adapter's events. */
export type OpenedChat =
  | { kind: 'relay-stream'; first: Buffer | null; rest: AsyncIterator<Buffer>; relay: RelayStream }
  | { kind: 'relay-whole'; whole: RelayedWhole }
  | { kind: 'events-stream'; opened: OpenedEvents }
  | { kind: 'events-whole'; events: ChatEvent[] };

export async function openChat(input: AttemptInput, req: ChatOpenRequest): Promise<OpenedChat> {
  const { provider, upstreamModel } = input.candidate;
  const adapter = provider.module.adapter;
  const same = req.sameWire;
  const endpoint = same && adapter.wires?.[same.wire];
  const dialect = adapter.openaiChatDialect;
  if (same && endpoint && (same.fits?.(dialect) ?? true)) {
    const answer = await endpoint({ body: same.body(upstreamModel, dialect), stream: req.stream, abort: input.abort, headers: same.headers }, input.target);
    const name = provider.module.manifest.displayName;
    if (answer.kind === 'stream') return { kind: 'relay-stream', first: answer.first, rest: answer.rest, relay: same.relay.stream(name) };
    try {
      return { kind: 'relay-whole', whole: same.relay.whole(answer.text, name) };
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw new ProviderError(`unreadable answer: ${(err as Error).message}`, { kind: 'protocol', cause: err });
    }
  }
  if (!adapter.chat) throw new ProviderError(`${provider.displayName} does not offer chat`, { kind: 'protocol' });
  const iterator = adapter.chat(req.chatRequest(upstreamModel), input.target, { signal: input.signal, fetchImage: input.fetchImage })[Symbol.asyncIterator]();
  if (!req.stream) {
    const events: ChatEvent[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) events.push(next.value);
    return { kind: 'events-whole', events };
  }
  return { kind: 'events-stream', opened: { first: await iterator.next(), iterator } };
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
