import type { ChatEvent, ChatToolCall, TokenUsage } from '../types.js';

export interface CollectedChat {
  text: string;
  thinking: string;
  toolCalls: ChatToolCall[];
  json?: unknown;
  usage?: TokenUsage;
  model?: string;
  /** Number of text events (a streamed answer has several). */
  textEvents: number;
}

/** Drain a ChatEvent stream into one answer (for non-streamed responses and tests). */
export async function collectChat(events: AsyncIterable<ChatEvent>): Promise<CollectedChat> {
  const out: CollectedChat = { text: '', thinking: '', toolCalls: [], textEvents: 0 };
  for await (const e of events) {
    switch (e.type) {
      case 'text':
        out.text += e.text;
        out.textEvents++;
        break;
      case 'thinking':
        out.thinking += e.text;
        break;
      case 'toolCalls':
        out.toolCalls.push(...e.toolCalls);
        break;
      case 'json':
        out.json = e.json;
        break;
      case 'usage':
        out.usage = e.usage;
        break;
      case 'model':
        out.model = e.model;
        break;
    }
  }
  return out;
}
