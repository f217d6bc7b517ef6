/**
 * The OpenAI Responses format's requests (API.md §11): schema, input items ↔ the hub's
 * ChatRequest, and what goes up on the same wire (its answers: openai-responses-answer.ts).
 * `previous_response_id` is the hub's own: the stored conversation is put in front of the input,
 * and the upstream keeps nothing (`store: false`).
 */
import { z } from 'zod/v4';
import type { ChatContentPart, ChatMessage, ChatRequest, ChatToolCall } from '../../providers/types.js';
import { MAX_CONTENT_PARTS, MAX_TOOLS } from './openai-chat.js';

const part = z.object({ type: z.string().max(64), text: z.string().optional(), image_url: z.string().nullish(), file_data: z.string().optional(), file_url: z.string().optional(), filename: z.string().optional() }).passthrough();
const item = z
  .object({
    type: z.string().max(64).optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
    content: z.union([z.string(), z.array(part).max(MAX_CONTENT_PARTS)]).optional(),
    call_id: z.string().max(256).optional(),
    name: z.string().max(256).optional(),
    arguments: z.string().optional(),
    output: z.union([z.string(), z.array(part).max(MAX_CONTENT_PARTS)]).optional(),
  })
  .passthrough();

const tool = z.object({ type: z.string().max(64), name: z.string().max(256).optional(), description: z.string().nullish(), parameters: z.record(z.string(), z.unknown()).nullish(), strict: z.boolean().nullish() }).passthrough();

export const openAIResponsesSchema = z
  .object({
    model: z.string().trim().min(1, 'model must be a non-empty string').max(200),
    input: z.union([z.string(), z.array(item).min(1, 'input must not be empty')]),
    instructions: z.string().nullish(),
    tools: z.array(tool).max(MAX_TOOLS).nullish(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.string(), name: z.string().optional() }).passthrough()]).nullish(),
    max_output_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    text: z
      .object({
        format: z
          .union([
            z.object({ type: z.literal('text') }).passthrough(),
            z.object({ type: z.literal('json_object') }).passthrough(),
            z.object({ type: z.literal('json_schema'), name: z.string().max(256), schema: z.record(z.string(), z.unknown()), description: z.string().optional(), strict: z.boolean().nullish() }).passthrough(),
          ])
          .optional(),
      })
      .passthrough()
      .nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    previous_response_id: z.string().max(80).nullish(),
  })
  .passthrough();

export type OpenAIResponsesRequest = z.infer<typeof openAIResponsesSchema>;
type Item = z.infer<typeof item>;
type Part = z.infer<typeof part>;

/** The request's input as items (a string is one user message). */
export const inputItems = (input: OpenAIResponsesRequest['input']): Item[] => (typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input);

/** Items a later turn sends back: answers' messages and calls (upstream reasoning items are not kept upstream). */
export const continuedItems = (items: unknown[]): unknown[] => items.filter((i) => (i as Item)?.type !== 'reasoning');

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function toPart(p: Part): ChatContentPart | null {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: p.text ?? '' };
    case 'input_image': {
      if (!p.image_url) return null;
      const m = DATA_URL.exec(p.image_url);
      return m ? { type: 'file', mimeType: m[1], data: m[2]! } : { type: 'url', url: p.image_url };
    }
    case 'input_file': {
      const m = p.file_data ? DATA_URL.exec(p.file_data) : null;
      if (m) return { type: 'file', mimeType: m[1], data: m[2]! };
      return p.file_url ? { type: 'url', url: p.file_url } : null;
    }
    default:
      return null;
  }
}

const contentOf = (c: Item['content']): string | ChatContentPart[] | undefined =>
  c === undefined || typeof c === 'string' ? c : c.flatMap((p) => {
    const x = toPart(p);
    return x ? [x] : [];
  });

const textOf = (c: Item['content'] | Item['output']): string =>
  c === undefined ? '' : typeof c === 'string' ? c : c.map((p) => p.text ?? '').join('');

/** Input items as the hub's messages: function calls join the assistant turn before them. */
export function messagesFromItems(items: Item[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const i of items) {
    const type = i.type ?? 'message';
    if (type === 'message') {
      const role = i.role ?? 'user';
      if (role === 'system' || role === 'developer') out.push({ role: 'system', content: contentOf(i.content) });
      else if (role === 'assistant') out.push({ role: 'agent', content: textOf(i.content) || undefined });
      else out.push({ role: 'user', content: contentOf(i.content) });
    } else if (type === 'function_call') {
      const call: ChatToolCall = { id: i.call_id ?? '', type: 'function', function: { name: i.name ?? '', arguments: parseArguments(i.arguments ?? '') } };
      const last = out.at(-1);
      if (last?.role === 'agent') (last.toolCalls ??= []).push(call);
      else out.push({ role: 'agent', toolCalls: [call] });
    } else if (type === 'function_call_output') {
      out.push({ role: 'tool', toolCallId: i.call_id ?? '', content: textOf(i.output) });
    }
  }
  return out;
}

function parseArguments(text: string): Record<string, unknown> | string {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : text;
  } catch {
    return text;
  }
}

function toToolChoice(c: OpenAIResponsesRequest['tool_choice']): ChatRequest['toolChoice'] {
  if (c === null || c === undefined) return undefined;
  if (typeof c === 'string') return c;
  return c.type === 'function' && c.name ? { type: 'function', function: { name: c.name } } : undefined;
}

/** The request as the hub's ChatRequest; `history` is the stored conversation before it (previous_response_id). */
export function fromOpenAIResponses(body: OpenAIResponsesRequest, history: unknown[], upstreamModel: string): ChatRequest {
  const messages: ChatMessage[] = body.instructions ? [{ role: 'system', content: body.instructions }] : [];
  messages.push(...messagesFromItems([...(history as Item[]), ...inputItems(body.input)]));
  const tools = body.tools?.filter((t) => t.type === 'function' && t.name);
  const format = body.text?.format;
  return {
    model: upstreamModel,
    messages,
    tools: tools?.length ? tools.map((t) => ({ type: 'function', function: { name: t.name!, description: t.description ?? undefined, parameters: t.parameters ?? undefined } })) : undefined,
    toolChoice: tools?.length ? toToolChoice(body.tool_choice) : undefined,
    responseFormat:
      format?.type === 'json_schema'
        ? { type: 'json_schema', jsonSchema: { name: format.name, description: format.description, schema: format.schema, strict: format.strict ?? undefined } }
        : format?.type === 'json_object'
          ? { type: 'json_object' }
          : undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    maxTokens: body.max_output_tokens ?? undefined,
    parallelToolCalls: body.parallel_tool_calls ?? undefined,
  };
}

const argText = (a: ChatToolCall['function']['arguments']) => (typeof a === 'string' ? a : JSON.stringify(a));

/** The hub's ChatRequest as a Responses request (system messages become `instructions`). */
export function toOpenAIResponses(req: ChatRequest): OpenAIResponsesRequest {
  const system = req.messages.filter((m) => m.role === 'system').map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('')));
  const input: Item[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') input.push({ type: 'function_call_output', call_id: m.toolCallId ?? '', output: typeof m.content === 'string' ? m.content : textOf(m.content as Part[]) });
    else if (m.role === 'agent') {
      const text = typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
      if (text) input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
      for (const c of m.toolCalls ?? []) input.push({ type: 'function_call', call_id: c.id, name: c.function.name, arguments: argText(c.function.arguments) });
    } else {
      const content =
        typeof m.content === 'string' || m.content === undefined
          ? (m.content ?? '')
          : m.content.map((p): Part => (p.type === 'text' ? { type: 'input_text', text: p.text } : { type: 'input_image', image_url: p.type === 'url' ? p.url : `data:${p.mimeType ?? 'image/png'};base64,${p.data}` }));
      input.push({ type: 'message', role: 'user', content });
    }
  }
  const rf = req.responseFormat;
  const tc = req.toolChoice;
  return {
    model: req.model,
    input,
    ...(system.length ? { instructions: system.join('\n') } : {}),
    ...(req.tools?.length ? { tools: req.tools.map((t) => ({ type: 'function', name: t.function.name, description: t.function.description, parameters: t.function.parameters })) } : {}),
    ...(tc ? { tool_choice: typeof tc === 'string' ? tc : { type: 'function', name: tc.function.name } } : {}),
    ...(rf && rf.type !== 'text' ? { text: { format: rf.type === 'json_schema' ? { type: 'json_schema', name: rf.jsonSchema.name, schema: rf.jsonSchema.schema, strict: rf.jsonSchema.strict } : { type: 'json_object' } } } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.maxTokens !== undefined ? { max_output_tokens: req.maxTokens } : {}),
    ...(req.parallelToolCalls !== undefined ? { parallel_tool_calls: req.parallelToolCalls } : {}),
  } as OpenAIResponsesRequest;
}

/** The request as it goes up on the same wire: the conversation whole, nothing stored upstream. */
export function toResponsesRelayBody(body: OpenAIResponsesRequest, history: unknown[], upstreamModel: string): Record<string, unknown> {
  const { previous_response_id: _previous, ...rest } = body;
  return { ...rest, model: upstreamModel, input: history.length ? [...history, ...inputItems(body.input)] : body.input, store: false };
}

/** Image and file URLs (not data: URLs) the request asks the model to read. */
export function responsesFileUrls(body: OpenAIResponsesRequest): string[] {
  const urls: string[] = [];
  for (const i of inputItems(body.input)) {
    if (!Array.isArray(i.content)) continue;
    for (const p of i.content) {
      const url = p.type === 'input_image' ? p.image_url : p.type === 'input_file' ? p.file_url : undefined;
      if (url && !url.startsWith('data:')) urls.push(url);
    }
  }
  return urls;
}
