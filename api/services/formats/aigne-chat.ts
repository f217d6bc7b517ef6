/** The AIGNE framework's ChatModelInput ↔ the hub's ChatRequest, and ChatEvent → AIGNE chunks. */
import { z } from 'zod/v4';
import type { ChatContentPart, ChatEvent, ChatMessage, ChatRequest, ChatToolCall, TokenUsage } from '../../providers/types.js';
import { MAX_CONTENT_PARTS, MAX_TOOLS } from './openai-chat.js';

const part = z
  .object({ type: z.enum(['text', 'url', 'file']), text: z.string().optional(), url: z.string().optional(), data: z.string().optional(), mimeType: z.string().optional() })
  .passthrough();
const aigneMessage = z
  .object({
    role: z.enum(['system', 'user', 'agent', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(part).max(MAX_CONTENT_PARTS)]).nullish(),
    toolCalls: z
      .array(z.object({ id: z.string(), type: z.literal('function').optional(), function: z.object({ name: z.string(), arguments: z.unknown() }).passthrough() }).passthrough())
      .nullish(),
    toolCallId: z.string().nullish(),
    name: z.string().nullish(),
  })
  .passthrough();

export const aigneChatInputSchema = z
  .object({
    messages: z.array(aigneMessage).min(1, 'messages must contain at least one message'),
    tools: z
      .array(z.object({ type: z.literal('function'), function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }).passthrough() }).passthrough())
      .max(MAX_TOOLS)
      .nullish(),
    toolChoice: z.union([z.enum(['auto', 'none', 'required', 'router']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).passthrough() }).passthrough()]).nullish(),
    responseFormat: z.union([z.object({ type: z.literal('text') }).passthrough(), z.object({ type: z.literal('json_schema'), jsonSchema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()) }).passthrough() }).passthrough()]).nullish(),
    modelOptions: z
      .object({
        model: z.string().optional(),
        temperature: z.number().nullish(),
        topP: z.number().nullish(),
        frequencyPenalty: z.number().nullish(),
        presencePenalty: z.number().nullish(),
        maxTokens: z.number().int().positive().nullish(),
        parallelToolCalls: z.boolean().nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();

export type AigneChatInput = z.infer<typeof aigneChatInputSchema>;

function toContent(content: AigneChatInput['messages'][number]['content']): string | ChatContentPart[] | undefined {
  if (content === null || content === undefined) return undefined;
  if (typeof content === 'string') return content;
  return content.flatMap((p): ChatContentPart[] => {
    if (p.type === 'text') return [{ type: 'text', text: p.text ?? '' }];
    if (p.type === 'url' && p.url) return [{ type: 'url', url: p.url, mimeType: p.mimeType }];
    if (p.type === 'file' && p.data) return [{ type: 'file', data: p.data, mimeType: p.mimeType }];
    return [];
  });
}

export function fromAigneChatInput(input: AigneChatInput, upstreamModel: string): ChatRequest {
  const o = input.modelOptions ?? {};
  const messages: ChatMessage[] = input.messages.map((m) => ({
    role: m.role === 'assistant' ? 'agent' : m.role,
    content: toContent(m.content),
    toolCalls: m.toolCalls?.map((t) => ({
      id: t.id,
      type: 'function' as const,
      function: { name: t.function.name, arguments: (t.function.arguments ?? {}) as Record<string, unknown> | string },
    })),
    toolCallId: m.toolCallId ?? undefined,
    name: m.name ?? undefined,
  }));
  const tc = input.toolChoice;
  return {
    model: upstreamModel,
    messages,
    tools: input.tools?.map((t) => ({ type: 'function', function: { name: t.function.name, description: t.function.description, parameters: t.function.parameters } })),
    toolChoice: tc === 'router' ? 'required' : (tc as ChatRequest['toolChoice']) ?? undefined,
    responseFormat: (input.responseFormat as ChatRequest['responseFormat']) ?? undefined,
    temperature: o.temperature ?? undefined,
    topP: o.topP ?? undefined,
    maxTokens: o.maxTokens ?? undefined,
    presencePenalty: o.presencePenalty ?? undefined,
    frequencyPenalty: o.frequencyPenalty ?? undefined,
    parallelToolCalls: o.parallelToolCalls ?? undefined,
  };
}

/** An AIGNE agent-response chunk for one event (model names echo the client's). */
export function toAigneChunk(e: ChatEvent, clientModel: string): object | null {
  switch (e.type) {
    case 'text':
      return e.text ? { delta: { text: { text: e.text } } } : null;
    case 'thinking':
      return e.text ? { delta: { text: { thoughts: e.text } } } : null;
    case 'toolCalls':
      return { delta: { json: { toolCalls: e.toolCalls } } };
    case 'json':
      return { delta: { json: { json: e.json } } };
    case 'usage':
      return { delta: { json: { usage: { inputTokens: e.usage.inputTokens, outputTokens: e.usage.outputTokens } } } };
    case 'model':
      return { delta: { json: { model: clientModel } } };
  }
}

/** URL parts of AIGNE messages. */
export function aigneImageUrls(messages: AigneChatInput['messages']): string[] {
  return messages.flatMap((m) => (Array.isArray(m.content) ? m.content.filter((p) => p.type === 'url' && p.url).map((p) => p.url!) : []));
}

/** The hub's ChatRequest as AIGNE chat input (what the translation tests compare). */
export function toAigneChatInput(req: ChatRequest): AigneChatInput {
  return {
    messages: req.messages.map((m) => ({
      role: m.role,
      content: typeof m.content === 'string' || m.content === undefined ? m.content : m.content.map((p) => ({ ...p })),
      ...(m.toolCalls ? { toolCalls: m.toolCalls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.function.name, arguments: t.function.arguments } })) } : {}),
      ...(m.toolCallId ? { toolCallId: m.toolCallId } : {}),
    })),
    ...(req.tools ? { tools: req.tools.map((t) => ({ type: 'function' as const, function: { ...t.function } })) } : {}),
    ...(req.toolChoice ? { toolChoice: req.toolChoice } : {}),
    ...(req.responseFormat ? { responseFormat: req.responseFormat as AigneChatInput['responseFormat'] } : {}),
    modelOptions: { model: req.model, temperature: req.temperature, topP: req.topP, maxTokens: req.maxTokens, parallelToolCalls: req.parallelToolCalls },
  };
}

/** AIGNE agent-response chunks as the hub's chat events (what the translation tests compare). */
export function eventsFromAigneChunks(chunks: object[]): ChatEvent[] {
  const events: ChatEvent[] = [];
  for (const c of chunks as { delta?: { text?: { text?: string; thoughts?: string }; json?: Record<string, unknown> } }[]) {
    if (c.delta?.text?.text) events.push({ type: 'text', text: c.delta.text.text });
    if (c.delta?.text?.thoughts) events.push({ type: 'thinking', text: c.delta.text.thoughts });
    const json = c.delta?.json;
    if (json?.toolCalls) events.push({ type: 'toolCalls', toolCalls: json.toolCalls as ChatToolCall[] });
    if (json?.usage) events.push({ type: 'usage', usage: json.usage as TokenUsage });
  }
  return events;
}
