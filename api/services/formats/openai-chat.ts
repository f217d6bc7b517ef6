/**
 * The OpenAI Chat Completions format's requests: schema, translation to the hub's ChatRequest, and
 * what the same-wire relay sends upstream (its answers: openai-chat-answer.ts).
 */
import { z } from 'zod/v4';
import type { ChatContentPart, ChatMessage, ChatRequest } from '../../providers/types.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const imagePart = z
  .object({ type: z.literal('image_url'), image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().optional() }).passthrough()]) })
  .passthrough();
/** Parts the hub does not translate, relayed as they are to providers on the same wire. */
const otherPart = z.object({ type: z.enum(['input_audio', 'file', 'refusal']) }).passthrough();
const part = z.discriminatedUnion('type', [textPart, imagePart, otherPart], {
  error: (issue) => (issue.code === 'invalid_union' ? "Expected a part of type 'text' | 'image_url' | 'input_audio' | 'file' | 'refusal'" : undefined),
});
/** OpenAI's own limits: parts of one message, tools of one request. */
export const MAX_CONTENT_PARTS = 1024;
export const MAX_TOOLS = 128;
const content = z.union([z.string(), z.array(part).max(MAX_CONTENT_PARTS)]).nullable().optional();

const toolCall = z
  .object({
    id: z.string(),
    type: z.literal('function').optional(),
    function: z.object({ name: z.string(), arguments: z.string() }).passthrough(),
  })
  .passthrough();

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().optional() }).passthrough(),
  z.object({ role: z.literal('developer'), content, name: z.string().optional() }).passthrough(),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }).passthrough(),
  z.object({ role: z.literal('assistant'), content, name: z.string().optional(), tool_calls: z.array(toolCall).optional() }).passthrough(),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string() }).passthrough(),
], { error: (issue) => (issue.code === 'invalid_union' ? "Expected 'system' | 'developer' | 'user' | 'assistant' | 'tool'" : undefined) });

const tool = z
  .object({
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }).passthrough(),
  })
  .passthrough();

export const openAIChatRequestSchema = z
  .object({
    model: z.string().trim().min(1, 'model must be a non-empty string').max(200),
    messages: z.array(message).min(1, 'messages must contain at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    n: z.number().int().min(1).max(1, 'n > 1 is not supported').nullish(),
    tools: z.array(tool).max(MAX_TOOLS).nullish(),
    tool_choice: z
      .union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
      .nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    response_format: z
      .union([
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.object({ name: z.string(), description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }).passthrough(),
        }),
      ])
      .nullish(),
    user: z.string().nullish(),
  })
  .passthrough();

export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;

function toContent(c: z.infer<typeof content>): string | ChatContentPart[] | undefined {
  if (c === null || c === undefined) return undefined;
  if (typeof c === 'string') return c;
  const parts: ChatContentPart[] = [];
  for (const p of c) {
    if (p.type === 'text') parts.push({ type: 'text', text: String((p as { text: string }).text) });
    else if (p.type === 'image_url') {
      const img = (p as { image_url: string | { url: string } }).image_url;
      const url = typeof img === 'string' ? img : img.url;
      const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
      parts.push(m ? { type: 'file', mimeType: m[1], data: m[2]! } : { type: 'url', url });
    }
  }
  return parts;
}

function parseArguments(text: string): Record<string, unknown> | string {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : text;
  } catch {
    return text;
  }
}

export function fromOpenAIChatRequest(body: OpenAIChatRequest, upstreamModel: string): ChatRequest {
  const messages: ChatMessage[] = body.messages.map((m) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: toContent(m.content) };
      case 'user':
        return { role: 'user', content: toContent(m.content), name: m.name };
      case 'assistant':
        return {
          role: 'agent',
          content: toContent(m.content),
          toolCalls: m.tool_calls?.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.function.name, arguments: parseArguments(t.function.arguments) } })),
        };
      case 'tool':
        return { role: 'tool', content: toContent(m.content) ?? '', toolCallId: m.tool_call_id };
    }
  });
  const rf = body.response_format;
  return {
    model: upstreamModel,
    messages,
    tools: body.tools?.map((t) => ({ type: 'function', function: { name: t.function.name, description: t.function.description, parameters: t.function.parameters } })),
    toolChoice: body.tool_choice ?? undefined,
    responseFormat:
      rf?.type === 'json_schema'
        ? { type: 'json_schema', jsonSchema: { name: rf.json_schema.name, description: rf.json_schema.description, schema: rf.json_schema.schema ?? {}, strict: rf.json_schema.strict ?? undefined } }
        : (rf ?? undefined),
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    presencePenalty: body.presence_penalty ?? undefined,
    frequencyPenalty: body.frequency_penalty ?? undefined,
    stop: typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined),
    parallelToolCalls: body.parallel_tool_calls ?? undefined,
  };
}

/** Image URLs (not data: URLs) a request asks the model to look at. */
export function openAIImageUrls(body: OpenAIChatRequest): string[] {
  const urls: string[] = [];
  for (const m of body.messages) {
    if (!Array.isArray(m.content)) continue;
    for (const p of m.content) {
      if (p.type !== 'image_url') continue;
      const img = (p as { image_url: string | { url: string } }).image_url;
      const url = typeof img === 'string' ? img : img.url;
      if (!url.startsWith('data:')) urls.push(url);
    }
  }
  return urls;
}

/** The request as it goes up on the same wire: the upstream's model name, and usage asked for when streaming. */
export function toOpenAIRelayBody(body: OpenAIChatRequest, upstreamModel: string, stream: boolean): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...body, model: upstreamModel };
  if (stream) payload.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return payload;
}

const argumentText = (a: string | Record<string, unknown>) => (typeof a === 'string' ? a : JSON.stringify(a));

/** The hub's ChatRequest as an OpenAI Chat Completions request (what the translation tests compare). */
export function toOpenAIChatRequest(req: ChatRequest): OpenAIChatRequest {
  const content = (c: ChatMessage['content']) =>
    c === undefined || typeof c === 'string' ? (c ?? null) : c.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: p.type === 'url' ? p.url : `data:${p.mimeType ?? 'image/png'};base64,${p.data}` } }));
  const messages = req.messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: content(m.content) };
    if (m.role === 'agent') return { role: 'assistant', content: content(m.content), ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.function.name, arguments: argumentText(t.function.arguments) } })) } : {}) };
    return { role: m.role, content: content(m.content) };
  });
  const rf = req.responseFormat;
  return {
    model: req.model,
    messages,
    ...(req.tools?.length ? { tools: req.tools.map((t) => ({ type: 'function', function: t.function })) } : {}),
    ...(req.toolChoice ? { tool_choice: req.toolChoice } : {}),
    ...(rf ? { response_format: rf.type === 'json_schema' ? { type: 'json_schema', json_schema: rf.jsonSchema } : rf } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.maxTokens !== undefined ? { max_completion_tokens: req.maxTokens } : {}),
    ...(req.stop?.length ? { stop: req.stop } : {}),
  } as OpenAIChatRequest;
}
