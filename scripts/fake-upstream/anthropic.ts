/** Anthropic Messages wire format: `POST /v1/messages`, JSON and SSE. */
import { countWords, echoReply, jsonReply, nextId, splitArguments, splitReply, valueFromSchema } from './content.js';
import { providerErrorObject } from './errors.js';
import { type Exchange, sendError, sendJson, sendStream, textOf } from './exchange.js';

function blockText(content: unknown): { text: string; hasToolResult: boolean } {
  if (typeof content === 'string') return { text: content, hasToolResult: false };
  if (!Array.isArray(content)) return { text: '', hasToolResult: false };
  let text = '';
  let hasToolResult = false;
  for (const b of content) {
    if (!b || typeof b !== 'object') continue;
    if (b.type === 'text' && typeof b.text === 'string') text += (text ? ' ' : '') + b.text;
    else if (b.type === 'tool_result') {
      hasToolResult = true;
      const t = textOf(b.content);
      if (t) text += (text ? ' ' : '') + t;
    }
  }
  return { text, hasToolResult };
}

/** Input tokens as the messages route counts them: words of the system prompt and of every message. */
function inputTokensOf(body: any): number {
  let n = countWords(typeof body.system === 'string' ? body.system : textOf(body.system));
  for (const m of body.messages) n += countWords(blockText(m?.content).text);
  return n;
}

/** `POST /v1/messages/count_tokens` → `{"input_tokens"}`. */
export function handleAnthropicCountTokens(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || !Array.isArray(body.messages)) {
    sendError(ex, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } });
    return;
  }
  sendJson(ex, 200, { input_tokens: inputTokensOf(body) });
}

export function handleAnthropicMessages(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || !Array.isArray(body.messages)) {
    sendError(ex, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } });
    return;
  }
  if (typeof body.max_tokens !== 'number') {
    sendError(ex, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    return;
  }
  const model = String(body.model ?? 'claude-sonnet-4-5');
  let inputTokens = countWords(typeof body.system === 'string' ? body.system : textOf(body.system));
  let lastUserText = '';
  let lastIsUser = false;
  for (const m of body.messages) {
    const { text, hasToolResult } = blockText(m?.content);
    inputTokens += countWords(text);
    if (m?.role === 'user') {
      if (!hasToolResult) lastUserText = text;
      lastIsUser = !hasToolResult;
    } else lastIsUser = false;
  }
  const tools: any[] = Array.isArray(body.tools) ? body.tools : [];
  const choice = body.tool_choice;
  let toolName: string | undefined;
  let toolArgs: unknown;
  if (ex.toolCall) {
    toolName = ex.toolCall.name;
    toolArgs = ex.toolCall.arguments;
  } else if (tools.length && choice?.type !== 'none' && lastIsUser && ex.reply === undefined) {
    const tool = (choice?.type === 'tool' && tools.find((t) => t?.name === choice.name)) || tools[0];
    toolName = String(tool?.name ?? 'tool');
    toolArgs = valueFromSchema(tool?.input_schema, lastUserText);
  }
  const id = nextId('msg_');
  if (toolName !== undefined) {
    const args = JSON.stringify(toolArgs ?? {});
    const outputTokens = countWords(args);
    const toolId = nextId('toolu_');
    if (!body.stream) {
      sendJson(ex, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'tool_use', id: toolId, name: toolName, input: toolArgs ?? {} }],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      });
      return;
    }
    const events = [
      messageStart(id, model, inputTokens),
      sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: toolId, name: toolName, input: {} } }),
      ...splitArguments(args).map((partial_json) =>
        sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json } }),
      ),
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      messageDelta('tool_use', outputTokens),
      MESSAGE_STOP,
    ];
    sendStream(ex, { contentType: 'text/event-stream; charset=utf-8', events, errorEvent });
    return;
  }
  const text = ex.reply ?? (body.output_format || body.response_format ? jsonReply(undefined, lastUserText) : echoReply(lastUserText));
  if (!body.stream) {
    sendJson(ex, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: countWords(text), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    return;
  }
  const { pieces, text: streamed } = splitReply(text, ex.chunks);
  const events = [
    messageStart(id, model, inputTokens),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    PING,
    ...pieces.map(
      (piece) =>
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}\n\n`,
    ),
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    messageDelta('end_turn', countWords(streamed)),
    MESSAGE_STOP,
  ];
  sendStream(ex, { contentType: 'text/event-stream; charset=utf-8', events, errorEvent });
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const PING = 'event: ping\ndata: {"type": "ping"}\n\n';
const MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

function messageStart(id: string, model: string, inputTokens: number): string {
  return sse('message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

function messageDelta(stopReason: string, outputTokens: number): string {
  return sse('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: outputTokens },
  });
}

function errorEvent(status: number): string {
  return sse('error', providerErrorObject('anthropic', status));
}
