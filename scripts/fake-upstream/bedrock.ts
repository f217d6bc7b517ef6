/**
 * Amazon Bedrock Runtime Converse API: `POST /model/{modelId}/converse` (JSON) and
 * `/model/{modelId}/converse-stream` (AWS event-stream binary framing).
 */
import { crc32 } from 'node:zlib';
import { countWords, echoReply, jsonReply, splitArguments, splitReply, valueFromSchema, nextId } from './content.js';
import { bedrockExceptionType } from './errors.js';
import { type Exchange, sendError, sendJson, sendStream } from './exchange.js';

function header(name: string, value: string): Buffer {
  const n = Buffer.from(name);
  const v = Buffer.from(value);
  const out = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
  out.writeUInt8(n.length, 0);
  n.copy(out, 1);
  out.writeUInt8(7, 1 + n.length); // string
  out.writeUInt16BE(v.length, 2 + n.length);
  v.copy(out, 4 + n.length);
  return out;
}

/** One AWS event-stream message. */
export function eventStreamMessage(headers: Record<string, string>, payload: unknown): Buffer {
  const h = Buffer.concat(Object.entries(headers).map(([k, v]) => header(k, v)));
  const p = Buffer.from(JSON.stringify(payload));
  const total = 12 + h.length + p.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(h.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  h.copy(out, 12);
  p.copy(out, 12 + h.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

function event(type: string, payload: unknown): Buffer {
  return eventStreamMessage({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload);
}

export function parseBedrockPath(path: string): { model: string; stream: boolean } | undefined {
  const m = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
  if (!m) return undefined;
  return { model: decodeURIComponent(m[1]!), stream: m[2] === 'converse-stream' };
}

function contentText(content: unknown): { text: string; hasToolResult: boolean } {
  let text = '';
  let hasToolResult = false;
  for (const b of Array.isArray(content) ? content : []) {
    if (typeof b?.text === 'string') text += (text ? ' ' : '') + b.text;
    if (b?.toolResult) {
      hasToolResult = true;
      for (const c of Array.isArray(b.toolResult.content) ? b.toolResult.content : []) {
        if (typeof c?.text === 'string') text += (text ? ' ' : '') + c.text;
      }
    }
  }
  return { text, hasToolResult };
}

export function handleBedrock(ex: Exchange): void {
  const parsed = parseBedrockPath(ex.path);
  const body = ex.body;
  if (!parsed || !body || typeof body !== 'object' || !Array.isArray(body.messages)) {
    sendError(ex, 400, { message: 'Malformed input request: messages is required' });
    return;
  }
  let inputTokens = 0;
  for (const s of Array.isArray(body.system) ? body.system : []) inputTokens += countWords(s?.text);
  let lastUserText = '';
  let lastIsUser = false;
  for (const m of body.messages) {
    const { text, hasToolResult } = contentText(m?.content);
    inputTokens += countWords(text);
    const isUser = m?.role === 'user' && !hasToolResult;
    if (isUser) lastUserText = text;
    lastIsUser = isUser;
  }
  const tools: any[] = Array.isArray(body.toolConfig?.tools) ? body.toolConfig.tools : [];
  const choice = body.toolConfig?.toolChoice;
  let call: { name: string; args: unknown } | undefined;
  if (ex.toolCall) call = { name: ex.toolCall.name, args: ex.toolCall.arguments };
  else if (tools.length && lastIsUser && ex.reply === undefined) {
    const spec = ((choice?.tool?.name && tools.find((t) => t?.toolSpec?.name === choice.tool.name)) || tools[0])?.toolSpec;
    call = { name: String(spec?.name ?? 'tool'), args: valueFromSchema(spec?.inputSchema?.json, lastUserText) };
  }
  const text = call ? undefined : (ex.reply ?? (body.outputConfig ? jsonReply(undefined, lastUserText) : echoReply(lastUserText)));
  const args = call ? JSON.stringify(call.args ?? {}) : '';
  const toolUseId = call ? nextId('tooluse_') : '';

  if (!parsed.stream) {
    const outputTokens = call ? countWords(args) : countWords(text);
    sendJson(
      ex,
      200,
      {
        output: {
          message: {
            role: 'assistant',
            content: call ? [{ toolUse: { toolUseId, name: call.name, input: call.args ?? {} } }] : [{ text }],
          },
        },
        stopReason: call ? 'tool_use' : 'end_turn',
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        metrics: { latencyMs: 1 },
      },
      { 'x-amzn-requestid': nextId('req-') },
    );
    return;
  }
  const events: Buffer[] = [event('messageStart', { role: 'assistant' })];
  let outputTokens: number;
  if (call) {
    events.push(event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId, name: call.name } } }));
    for (const input of splitArguments(args)) events.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input } } }));
    events.push(event('contentBlockStop', { contentBlockIndex: 0 }));
    events.push(event('messageStop', { stopReason: 'tool_use' }));
    outputTokens = countWords(args);
  } else {
    const { pieces, text: streamed } = splitReply(text ?? '', ex.chunks);
    for (const piece of pieces) events.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }));
    events.push(event('contentBlockStop', { contentBlockIndex: 0 }));
    events.push(event('messageStop', { stopReason: 'end_turn' }));
    outputTokens = countWords(streamed);
  }
  events.push(event('metadata', { usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }, metrics: { latencyMs: 1 } }));
  sendStream(ex, {
    contentType: 'application/vnd.amazon.eventstream',
    events,
    headers: { 'x-amzn-requestid': nextId('req-') },
    errorEvent: (status) =>
      eventStreamMessage(
        { ':exception-type': bedrockExceptionType(status), ':content-type': 'application/json', ':message-type': 'exception' },
        { message: `Upstream error ${status}.` },
      ),
  });
}
