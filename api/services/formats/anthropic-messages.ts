/**
 * The Anthropic Messages format's requests (API.md §10): schema, translation to the hub's
 * ChatRequest and back, and what goes up on the same wire (its answers: anthropic-messages-answer.ts).
 */
import { z } from 'zod/v4';
import type { ChatContentPart, ChatMessage, ChatRequest, ChatToolCall } from '../../providers/types.js';
import { MAX_CONTENT_PARTS, MAX_TOOLS } from './openai-chat.js';

const textBlock = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const imageBlock = z
  .object({
    type: z.literal('image'),
    source: z.union([
      z.object({ type: z.literal('base64'), media_type: z.string().max(100), data: z.string() }).passthrough(),
      z.object({ type: z.literal('url'), url: z.string().max(8192) }).passthrough(),
    ]),
  })
  .passthrough();
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().max(256), name: z.string().max(256), input: z.unknown() }).passthrough();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().max(256),
    content: z.union([z.string(), z.array(z.union([textBlock, imageBlock, z.object({ type: z.string().max(64) }).passthrough()])).max(MAX_CONTENT_PARTS)]).optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();
/** Blocks the hub does not translate (thinking, documents, server tools …) pass on the same wire and are dropped otherwise. */
const otherBlock = z.object({ type: z.string().max(64) }).passthrough();
const block = z.union([textBlock, imageBlock, toolUseBlock, toolResultBlock, otherBlock]);
const content = z.union([z.string(), z.array(block).max(MAX_CONTENT_PARTS)]);

const message = z.object({ role: z.enum(['user', 'assistant', 'system']), content }).passthrough();

const tool = z
  .object({ name: z.string().min(1).max(256), description: z.string().optional(), input_schema: z.record(z.string(), z.unknown()).optional(), type: z.string().max(64).optional() })
  .passthrough();

export const anthropicMessagesSchema = z
  .object({
    model: z.string().trim().min(1, 'model: Field required').max(200),
    max_tokens: z.number({ error: 'max_tokens: Field required' }).int().positive(),
    messages: z.array(message).min(1, 'messages: at least one message is required'),
    system: z.union([z.string(), z.array(textBlock).max(MAX_CONTENT_PARTS)]).nullish(),
    tools: z.array(tool).max(MAX_TOOLS).nullish(),
    tool_choice: z
      .object({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() })
      .passthrough()
      .nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().nonnegative().nullish(),
    stop_sequences: z.array(z.string()).max(16).nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    thinking: z.record(z.string(), z.unknown()).nullish(),
    stream: z.boolean().nullish(),
  })
  .passthrough();

export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesSchema>;
type Block = z.infer<typeof block>;

/** `POST /v1/messages/count_tokens`: the same request without `max_tokens`. */
export const anthropicCountTokensSchema = anthropicMessagesSchema.omit({ max_tokens: true, stream: true }).extend({ max_tokens: z.number().int().positive().optional() });
export type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensSchema>;

const systemText = (system: AnthropicMessagesRequest['system']): string | undefined =>
  system === null || system === undefined ? undefined : typeof system === 'string' ? system : system.map((b) => b.text).join('\n');

function toPart(b: Block): ChatContentPart | null {
  if (b.type === 'text') return { type: 'text', text: (b as { text: string }).text };
  if (b.type === 'image') {
    const source = (b as z.infer<typeof imageBlock>).source;
    return source.type === 'base64' ? { type: 'file', data: source.data, mimeType: source.media_type } : { type: 'url', url: source.url };
  }
  return null;
}

const partsOf = (c: string | Block[]): string | ChatContentPart[] =>
  typeof c === 'string' ? c : c.flatMap((b) => {
    const p = toPart(b);
    return p ? [p] : [];
  });

function toolResultText(r: z.infer<typeof toolResultBlock>): string {
  const c = r.content;
  const text = typeof c === 'string' ? c : (c ?? []).map((b) => (b.type === 'text' ? (b as { text: string }).text : '')).join('');
  return r.is_error ? `Error: ${text}` : text;
}

/** One Anthropic message as the hub's messages: tool results become tool messages, tool uses tool calls. */
function toChatMessages(m: AnthropicMessagesRequest['messages'][number]): ChatMessage[] {
  if (m.role === 'system') return [{ role: 'system', content: partsOf(m.content as string | Block[]) }];
  const blocks = typeof m.content === 'string' ? null : (m.content as Block[]);
  if (m.role === 'assistant') {
    if (!blocks) return [{ role: 'agent', content: m.content as string }];
    const text = blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
    const toolCalls: ChatToolCall[] = blocks
      .filter((b): b is z.infer<typeof toolUseBlock> => b.type === 'tool_use')
      .map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: (b.input ?? {}) as Record<string, unknown> } }));
    return [{ role: 'agent', content: text || undefined, ...(toolCalls.length ? { toolCalls } : {}) }];
  }
  if (!blocks) return [{ role: 'user', content: m.content as string }];
  const out: ChatMessage[] = [];
  for (const b of blocks) if (b.type === 'tool_result') out.push({ role: 'tool', toolCallId: (b as z.infer<typeof toolResultBlock>).tool_use_id, content: toolResultText(b as z.infer<typeof toolResultBlock>) });
  const rest = blocks.filter((b) => b.type !== 'tool_result');
  const parts = partsOf(rest);
  if (parts.length) out.push({ role: 'user', content: parts });
  return out;
}

function toToolChoice(c: AnthropicMessagesRequest['tool_choice']): ChatRequest['toolChoice'] {
  switch (c?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return c.name ? { type: 'function', function: { name: c.name } } : 'required';
    default:
      return undefined;
  }
}

export function fromAnthropicMessages(body: AnthropicMessagesRequest, upstreamModel: string): ChatRequest {
  const system = systemText(body.system);
  const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  for (const m of body.messages) messages.push(...toChatMessages(m));
  // Server tools (web search, code execution …) have a `type` and no schema: only Anthropic runs them.
  const tools = body.tools?.filter((t) => !t.type || t.type === 'custom');
  return {
    model: upstreamModel,
    messages,
    tools: tools?.length ? tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })) : undefined,
    toolChoice: tools?.length ? toToolChoice(body.tool_choice) : undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    maxTokens: body.max_tokens,
    stop: body.stop_sequences ?? undefined,
    parallelToolCalls: body.tool_choice?.disable_parallel_tool_use ? false : undefined,
  };
}

/** A tool call's arguments as the object Anthropic's `tool_use.input` holds (`{}` when they are not JSON). */
export const argsObject = (a: ChatToolCall['function']['arguments']): unknown => {
  if (typeof a !== 'string') return a;
  try {
    return JSON.parse(a) as unknown;
  } catch {
    return {};
  }
};

function toBlocks(content: ChatMessage['content']): string | Record<string, unknown>[] {
  if (content === undefined || typeof content === 'string') return content ?? '';
  return content.map((p) =>
    p.type === 'text'
      ? { type: 'text', text: p.text }
      : p.type === 'url'
        ? { type: 'image', source: { type: 'url', url: p.url } }
        : { type: 'image', source: { type: 'base64', media_type: p.mimeType ?? 'image/png', data: p.data } },
  );
}

const textOfContent = (c: ChatMessage['content']): string => (typeof c === 'string' ? c : (c ?? []).map((p) => (p.type === 'text' ? p.text : '')).join(''));

/** The hub's ChatRequest as an Anthropic Messages request (consecutive tool results share one user turn). */
export function toAnthropicMessages(req: ChatRequest): AnthropicMessagesRequest {
  const system = req.messages.filter((m) => m.role === 'system').map((m) => textOfContent(m.content)).join('\n');
  const messages: { role: 'user' | 'assistant'; content: string | Record<string, unknown>[] }[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') {
      const result = { type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: textOfContent(m.content) };
      const last = messages.at(-1);
      if (last?.role === 'user' && Array.isArray(last.content) && last.content.every((b) => b.type === 'tool_result')) last.content.push(result);
      else messages.push({ role: 'user', content: [result] });
    } else if (m.role === 'agent') {
      const blocks: Record<string, unknown>[] = [];
      const text = textOfContent(m.content);
      if (text) blocks.push({ type: 'text', text });
      for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.function.name, input: argsObject(c.function.arguments) });
      messages.push({ role: 'assistant', content: blocks });
    } else messages.push({ role: 'user', content: toBlocks(m.content) });
  }
  const tc = req.toolChoice;
  return {
    model: req.model,
    max_tokens: req.maxTokens ?? 4096,
    messages: messages as AnthropicMessagesRequest['messages'],
    ...(system ? { system } : {}),
    ...(req.tools?.length ? { tools: req.tools.map((t) => ({ name: t.function.name, description: t.function.description, input_schema: t.function.parameters ?? { type: 'object' } })) } : {}),
    ...(tc
      ? {
          tool_choice:
            tc === 'auto' ? { type: 'auto' } : tc === 'required' ? { type: 'any' } : tc === 'none' ? { type: 'none' } : { type: 'tool', name: tc.function.name },
        }
      : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.stop?.length ? { stop_sequences: req.stop } : {}),
  };
}

/** Image URLs (not inline data) a request asks the model to look at. */
export function anthropicImageUrls(body: AnthropicCountTokensRequest): string[] {
  const urls: string[] = [];
  const visit = (blocks: unknown) => {
    if (!Array.isArray(blocks)) return;
    for (const b of blocks as Block[]) {
      if (b.type === 'image' && (b as z.infer<typeof imageBlock>).source.type === 'url') urls.push(((b as z.infer<typeof imageBlock>).source as { url: string }).url);
      if (b.type === 'tool_result') visit((b as z.infer<typeof toolResultBlock>).content);
    }
  };
  for (const m of body.messages) visit(m.content);
  return urls;
}

/** The client's headers the Messages wire passes on to Anthropic. */
export function anthropicPassHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const v = headers[name];
    if (typeof v === 'string' && v.length <= 2000) out[name] = v;
  }
  return out;
}
