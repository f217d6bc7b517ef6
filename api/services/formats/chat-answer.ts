/**
 * What a chat format module gives the gateway to answer in its format: the writer of a translated
 * answer (the hub's ChatEvents → the format's stream events or whole answer) and, for a format a
 * provider may speak itself, the reader of a relayed one (the upstream's own answer, parsed only
 * for usage and errors).
 */
import type { ChatAccumulator } from '../../providers/shared/collect-chat.js';
import type { ChatEvent, TokenUsage } from '../../providers/types.js';

export { ChatAccumulator } from '../../providers/shared/collect-chat.js';

/** One call's answer in a client's format. */
export interface ChatAnswer {
  /** The text of one translated event ('' for none). */
  streamEvent(e: ChatEvent): string;
  /** The end of a translated stream, once its usage is known. */
  streamEnd(usage: TokenUsage): string;
  /** A whole translated answer. */
  whole(acc: ChatAccumulator, usage: TokenUsage): unknown;
  /** Reading an upstream's answer in this same format (formats that providers speak). */
  relay?: RelayReader;
}

export interface RelayReader {
  /** A relayed stream's reader (`provider`: the display name its errors carry). */
  stream(provider?: string): RelayStream;
  /** A relayed whole answer; throws when it is unreadable. */
  whole(text: string, provider?: string): RelayedWhole;
}

export interface RelayStream {
  /** The text to send for one upstream event ('' for none); throws a ProviderError for an error event. */
  event(e: { event?: string; data: string }): string;
  /** The usage the upstream reported, once it has. */
  readonly usage: TokenUsage | undefined;
  /** True once the upstream's end-of-stream event went by. */
  readonly ended: boolean;
  /** Output tokens to charge when the upstream reports no usage (`complete`: the stream ended normally). */
  outputEstimate(complete: boolean): number;
  /** The stream's last text, sent with the response's end once the call is settled. */
  end(usage: TokenUsage, estimated: boolean): string;
}

export interface RelayedWhole {
  readonly usage: TokenUsage | undefined;
  outputEstimate(): number;
  /** The answer for the client, once the call's usage is settled. */
  text(usage: TokenUsage): string;
}

/** Rough size of a request in tokens (≈ 4 characters a token), for reservations and estimates. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.ceil(text.length / 4);
}
