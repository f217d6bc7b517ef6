/** ChatRequest (the hub's normalized request) → @aigne/core ChatModelInput. */
import type { ChatModelInput, ChatModelInputMessage, ChatModelInputTool, UnionContent } from '@aigne/core';
import type { ChatContentPart, ChatMessage, ChatRequest, ChatTool, ChatToolCall } from '../types.js';

export interface ChatInputOptions {
  /**
   * How `responseFormat: json_object` reaches the model. 'native': the adapter sends the provider's
   * own JSON mode itself (OpenAI's `response_format`), so it is left out of the input. 'schema': it
   * becomes a json_schema accepting any object (the model classes then use tools or JSON MIME types).
   */
  jsonObject: 'native' | 'schema';
  /** Hand image URLs to the provider as URLs; otherwise @aigne/core downloads them and sends the bytes. */
  passImageUrls: boolean;
}

function toContent(content: ChatMessage['content']): ChatModelInputMessage['content'] {
  if (content === undefined || typeof content === 'string') return content;
  return content.map((part: ChatContentPart): UnionContent => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'url':
        return { type: 'url', url: part.url, mimeType: part.mimeType };
      case 'file':
        return { type: 'file', data: part.data, mimeType: part.mimeType };
    }
  });
}

/** Tool-call arguments as an object (the model classes re-serialize them for the wire). */
function parseToolArguments(args: ChatToolCall['function']['arguments']): Record<string, unknown> {
  if (typeof args !== 'string') return args ?? {};
  if (!args.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: args };
  }
}

function toMessage(m: ChatMessage): ChatModelInputMessage {
  const out: ChatModelInputMessage = { role: m.role, content: toContent(m.content) };
  if (m.toolCalls?.length) {
    out.toolCalls = m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.function.name, arguments: parseToolArguments(c.function.arguments) },
      ...(c.metadata ? { metadata: c.metadata } : {}),
    }));
  }
  if (m.toolCallId) out.toolCallId = m.toolCallId;
  if (m.name) out.name = m.name;
  return out;
}

function toTool(t: ChatTool): ChatModelInputTool {
  return {
    type: 'function',
    function: { name: t.function.name, description: t.function.description, parameters: t.function.parameters ?? { type: 'object', properties: {} } },
  };
}

export function toAigneChatInput(req: ChatRequest, options: ChatInputOptions): ChatModelInput {
  const tools = req.tools?.length ? req.tools.map(toTool) : undefined;
  const input: ChatModelInput = { messages: req.messages.map(toMessage) };
  if (tools) input.tools = tools;
  if (req.toolChoice !== undefined) {
    if (typeof req.toolChoice === 'string') input.toolChoice = req.toolChoice;
    else {
      const name = req.toolChoice.function.name;
      // @aigne/core wants the whole tool here; the OpenAI family trims it back to {type, function: {name}}.
      input.toolChoice = (tools?.find((t) => t.function.name === name) ?? {
        type: 'function',
        function: { name, parameters: { type: 'object', properties: {} } },
      }) as ChatModelInput['toolChoice'];
    }
  }
  const rf = req.responseFormat;
  if (rf?.type === 'text') input.responseFormat = { type: 'text' };
  else if (rf?.type === 'json_schema') input.responseFormat = { type: 'json_schema', jsonSchema: rf.jsonSchema };
  else if (rf?.type === 'json_object' && options.jsonObject === 'schema') {
    input.responseFormat = { type: 'json_schema', jsonSchema: { name: 'json_object', schema: { type: 'object' } } };
  }
  const modelOptions: Record<string, unknown> = { model: req.model };
  if (req.temperature !== undefined) modelOptions.temperature = req.temperature;
  if (req.topP !== undefined) modelOptions.topP = req.topP;
  if (req.frequencyPenalty !== undefined) modelOptions.frequencyPenalty = req.frequencyPenalty;
  if (req.presencePenalty !== undefined) modelOptions.presencePenalty = req.presencePenalty;
  if (req.parallelToolCalls !== undefined) modelOptions.parallelToolCalls = req.parallelToolCalls;
  if (options.passImageUrls) modelOptions.preferInputFileType = 'url';
  input.modelOptions = modelOptions;
  return input;
}
