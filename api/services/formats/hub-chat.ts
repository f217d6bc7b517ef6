/**
 * The hub's own camelCase chat format (POST /api/v2/chat/completions, API.md §4): request schema and
 * translation, and answers as `{"delta": …}` events then `{"usage": …}`, or one whole object.
 */
import { z } from 'zod/v4';
import { sseData } from '../../lib/sse.js';
import type { ChatEvent, ChatRequest, ChatToolCall, TokenUsage } from '../../providers/types.js';
import { aigneChatInputSchema, fromAigneChatInput, toAigneChatInput, type AigneChatInput } from './aigne-chat.js';
import type { ChatAnswer } from './chat-answer.js';

export const hubChatSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    messages: aigneChatInputSchema.shape.messages,
    temperature: z.number().min(0).max(2).nullish(),
    topP: z.number().min(0).max(1).nullish(),
    maxTokens: z.number().int().positive().nullish(),
    tools: aigneChatInputSchema.shape.tools,
    toolChoice: aigneChatInputSchema.shape.toolChoice,
    responseFormat: aigneChatInputSchema.shape.responseFormat,
    stream: z.boolean().nullish(),
  })
  .passthrough();

export type HubChatRequest = z.infer<typeof hubChatSchema>;

/** The request as AIGNE chat input (the same messages and options, under their AIGNE names). */
function hubChatToAigneInput(body: HubChatRequest): AigneChatInput {
  return {
    messages: body.messages,
    tools: body.tools,
    toolChoice: body.toolChoice,
    responseFormat: body.responseFormat,
    modelOptions: { model: body.model, temperature: body.temperature, topP: body.topP, maxTokens: body.maxTokens },
  };
}

export function fromHubChatRequest(body: HubChatRequest, upstreamModel: string): ChatRequest {
  return fromAigneChatInput(hubChatToAigneInput(body), upstreamModel);
}

export function hubChatAnswer(model: string): ChatAnswer {
  const usageOf = (u: { inputTokens: number; outputTokens: number }) => ({ inputTokens: u.inputTokens, outputTokens: u.outputTokens });
  return {
    streamEvent: (e) => {
      const delta =
        e.type === 'text' ? (e.text ? { content: e.text } : null) : e.type === 'toolCalls' ? { toolCalls: e.toolCalls } : e.type === 'json' ? { content: JSON.stringify(e.json) } : null;
      return delta ? sseData({ delta }) : '';
    },
    streamEnd: (usage) => sseData({ usage: usageOf(usage) }),
    whole: (acc, usage) => ({
      role: 'assistant',
      text: acc.content ?? '',
      content: acc.content ?? '',
      toolCalls: acc.toolCalls.length ? acc.toolCalls : undefined,
      ...(acc.json !== undefined ? { json: acc.json } : {}),
      usage: usageOf(usage),
      model,
    }),
  };
}

/** The hub's ChatRequest in its camelCase format (what the translation tests compare). */
export function toHubChatRequest(req: ChatRequest): HubChatRequest {
  const input = toAigneChatInput(req);
  const o = input.modelOptions!;
  return { model: req.model, messages: input.messages, tools: input.tools, toolChoice: input.toolChoice, responseFormat: input.responseFormat, temperature: o.temperature, topP: o.topP, maxTokens: o.maxTokens };
}

/** A whole answer of this format as the hub's chat events. */
export function eventsFromHubChat(whole: { text?: string; toolCalls?: ChatToolCall[]; usage?: TokenUsage }): ChatEvent[] {
  const events: ChatEvent[] = [];
  if (whole.text) events.push({ type: 'text', text: whole.text });
  if (whole.toolCalls?.length) events.push({ type: 'toolCalls', toolCalls: whole.toolCalls });
  if (whole.usage) events.push({ type: 'usage', usage: whole.usage });
  return events;
}
