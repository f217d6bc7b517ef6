/**
 * The AIGNE agent-response answer of /api/v2/chat, written without the framework: the events and
 * JSON object @aigne/transport's HTTP server sends for the hub's chat model (the model's name first,
 * then text, tool calls, JSON output and usage), and its `event: error` for a stream that fails.
 */
import { ProviderError } from '../../errors.js';
import { sseData } from '../../lib/sse.js';
import type { TokenUsage } from '../../providers/types.js';
import { toAigneChunk } from './aigne-chat.js';
import type { ChatAnswer } from './chat-answer.js';

const usageOf = (u: TokenUsage) => ({ inputTokens: u.inputTokens, outputTokens: u.outputTokens });

export function aigneChatAnswer(clientModel: string): ChatAnswer {
  let started = false;
  // The transport's first event names the model, before any of the upstream's.
  const start = () => {
    if (started) return '';
    started = true;
    return sseData({ delta: { json: { model: clientModel } } });
  };
  return {
    streamEvent: (e) => {
      if (e.type === 'usage' || e.type === 'model') return '';
      const chunk = toAigneChunk(e, clientModel);
      return chunk ? start() + sseData(chunk) : '';
    },
    streamEnd: (usage) => start() + sseData({ delta: { json: { usage: usageOf(usage) } } }),
    whole: (acc, usage) => ({
      model: clientModel,
      ...(acc.text ? { text: acc.text } : {}),
      ...(acc.thinking ? { thoughts: acc.thinking } : {}),
      ...(acc.toolCalls.length ? { toolCalls: acc.toolCalls } : {}),
      ...(acc.json !== undefined ? { json: acc.json } : {}),
      usage: usageOf(usage),
    }),
  };
}

/**
 * How /api/v2/chat writes errors (an ErrorFormat, middlewares/error-handler.ts): the hub's error
 * body before the stream, the transport's error event in it (with the upstream's own message, as the
 * model classes report it).
 */
export const aigneErrors = {
  body: (err: { toBody(): unknown }) => err.toBody(),
  event: (err: { message: string }, cause?: unknown) => `event: error\ndata: ${JSON.stringify({ message: cause instanceof ProviderError ? cause.message : err.message })}\n\n`,
};
