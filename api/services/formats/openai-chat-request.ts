/**
 * The hub's ChatRequest as an OpenAI Chat Completions body, written the way @aigne/openai's
 * OpenAIChatModel writes it (with the hub's own additions: the output cap, stop, JSON mode), so that
 * an AIGNE chat call can go up on the OpenAI wire without the model classes and get the same answer.
 * How the answer is read back: openai-chat-events.ts.
 */
import type { ChatContentPart, ChatMessage, ChatRequest, ChatToolCall, OpenAIChatDialect } from '../../providers/types.js';

/** Models whose class refuses some options (OpenAIChatModel's own presets, by exact name). */
const NO_TEMPERATURE = new Set(['o4-mini', 'o3-mini']);
const NO_PARALLEL_TOOL_CALLS = NO_TEMPERATURE;
const ROLES = { system: 'system', user: 'user', agent: 'assistant', tool: 'tool' } as const;

/** The name @aigne/core gives a tool on the wire (hyphens and spaces become underscores). */
export const wireToolName = (name: string) => name.replaceAll(/[-\s]/g, '_');
const VALID_TOOL_NAME = /^[a-zA-Z0-9_]+$/;

/**
 * False when only the model classes can send this request to this provider as they would: the
 * class's prompt-based JSON output, whole-call tool reading, or a tool name it refuses (its error).
 */
export function openAIChatRequestFits(req: ChatRequest, dialect: OpenAIChatDialect = {}): boolean {
  if (req.responseFormat?.type === 'json_schema' && dialect.nativeStructuredOutputs === false) return false;
  if (req.tools?.length && dialect.toolStreaming === false) return false;
  return !req.tools?.some((t) => !VALID_TOOL_NAME.test(wireToolName(t.function.name)));
}

function toContent(content: ChatMessage['content']) {
  if (content === undefined || typeof content === 'string') return content;
  return content.map((p: ChatContentPart) => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    if (p.type === 'url') return { type: 'image_url', image_url: { url: p.url } };
    return { type: 'image_url', image_url: { url: `data:${p.mimeType || 'image/png'};base64,${p.data}` } };
  });
}

/** Arguments as an object, as the hub hands them to the classes (which write them back as JSON). */
function argumentsObject(args: ChatToolCall['function']['arguments']): Record<string, unknown> {
  if (typeof args !== 'string') return args ?? {};
  if (!args.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: args };
  }
}

function toMessage(m: ChatMessage) {
  return {
    role: ROLES[m.role],
    content: toContent(m.content),
    tool_calls: m.toolCalls?.length
      ? m.toolCalls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.function.name, arguments: JSON.stringify(argumentsObject(c.function.arguments)) },
          ...(c.metadata ? { metadata: c.metadata } : {}),
        }))
      : undefined,
    tool_call_id: m.toolCallId,
    name: m.name,
  };
}

/** OpenAI's structured outputs want every property required: optional ones become nullable. */
function strictSchema(schema: unknown): unknown {
  const s = schema as { type?: string; properties?: Record<string, unknown>; required?: string[]; items?: unknown } | undefined;
  if (s?.type === 'object' && s.properties) {
    const properties = Object.fromEntries(
      Object.entries(s.properties).map(([key, value]) => {
        const v = strictSchema(value);
        return [key, s.required?.includes(key) ? v : { anyOf: [v, { type: ['null'] }] }];
      }),
    );
    return { ...s, properties, required: Object.keys(s.properties) };
  }
  if (s?.type === 'array') return { ...s, items: strictSchema(s.items) };
  return schema;
}

/** The body for `POST …/chat/completions`; `stream: false` asks for one whole answer. */
export function toOpenAIChatBody(req: ChatRequest, stream: boolean, dialect: OpenAIChatDialect = {}): Record<string, unknown> {
  const model = req.model;
  const body: Record<string, unknown> = {
    model,
    temperature: NO_TEMPERATURE.has(model) ? undefined : req.temperature,
    top_p: req.topP,
    frequency_penalty: req.frequencyPenalty,
    presence_penalty: req.presencePenalty,
    messages: req.messages.map(toMessage),
  };
  if (stream) {
    body.stream_options = { include_usage: true };
    body.stream = true;
  }
  if (model.includes('gpt-5') || model.includes('o1-')) {
    delete body.temperature;
    delete body.top_p;
  }
  const rf = req.responseFormat;
  const jsonSchema = rf?.type === 'json_schema' ? { type: 'json_schema', json_schema: { ...rf.jsonSchema, schema: strictSchema(rf.jsonSchema.schema) } } : undefined;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const parameters = t.function.parameters ?? { type: 'object', properties: {} };
      return {
        type: 'function',
        function: { name: wireToolName(t.function.name), description: t.function.description, parameters: dialect.toolsEmptyParameters === false && !Object.keys(parameters).length ? { type: 'object' } : parameters },
      };
    });
    const choice = req.toolChoice;
    body.tool_choice = choice && typeof choice === 'object' ? { type: 'function', function: { name: wireToolName(choice.function.name) } } : choice;
    if (!NO_PARALLEL_TOOL_CALLS.has(model)) body.parallel_tool_calls = req.parallelToolCalls;
    body.response_format = jsonSchema;
  } else if (jsonSchema) body.response_format = jsonSchema;
  if (req.maxTokens !== undefined) body[dialect.maxTokensField ?? 'max_tokens'] = req.maxTokens;
  if (req.stop?.length) body.stop = req.stop;
  if (rf?.type === 'json_object') body.response_format = { type: 'json_object' };
  return body;
}

/** True when the answer's text is JSON output (`json`, not `text`, for the client). */
export const isJsonMode = (req: ChatRequest) => req.responseFormat?.type === 'json_schema';
