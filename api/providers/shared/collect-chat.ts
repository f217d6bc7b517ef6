/** A whole answer gathered from the hub's chat events: for non-streamed answers, and tests. */
import type { ChatEvent, ChatToolCall, TokenUsage } from '../types.js';

/** Collects a whole answer from the hub's chat events. */
export class ChatAccumulator {
  text = '';
  thinking = '';
  toolCalls: ChatToolCall[] = [];
  json: unknown = undefined;
  usage: TokenUsage | undefined;
  /** The model the upstream says answered. */
  model: string | undefined;
  /** Number of text events (a streamed answer has several). */
  textEvents = 0;

  add(e: ChatEvent): void {
    switch (e.type) {
      case 'text':
        this.text += e.text;
        this.textEvents++;
        break;
      case 'thinking':
        this.thinking += e.text;
        break;
      case 'toolCalls':
        this.toolCalls.push(...e.toolCalls);
        break;
      case 'json':
        this.json = e.json;
        break;
      case 'usage':
        this.usage = e.usage;
        break;
      case 'model':
        this.model = e.model;
        break;
    }
  }

  /** The answer's text: the text, else the JSON output as text, else null for a tool-calls-only answer. */
  get content(): string | null {
    if (this.text) return this.text;
    if (this.json !== undefined) return JSON.stringify(this.json);
    return this.toolCalls.length ? null : '';
  }
}

/** Drains a ChatEvent stream into one answer. */
export async function collectChat(events: AsyncIterable<ChatEvent>): Promise<ChatAccumulator> {
  const acc = new ChatAccumulator();
  for await (const e of events) acc.add(e);
  return acc;
}
