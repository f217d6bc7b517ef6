/**
 * OpenAI Responses wire format: `POST …/responses`, JSON and the event stream (`response.created` …
 * `response.completed`, every event with its `sequence_number`). It keeps nothing: a request with
 * `previous_response_id` is refused as OpenAI refuses an id it does not know.
 */
import { countWords, echoReply, jsonReply, nextId, splitArguments, splitReply, valueFromSchema } from './content.js';
import { type Exchange, sendError, sendJson, sendStream, textOf } from './exchange.js';

interface Item {
  type?: string;
  role?: string;
  content?: unknown;
  output?: unknown;
}

function usage(input: number, output: number) {
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

export function handleOpenAIResponses(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || body.input === undefined) {
    sendError(ex, 400, { error: { message: "Missing required parameter: 'input'.", type: 'invalid_request_error', param: 'input', code: 'missing_required_parameter' } });
    return;
  }
  if (body.previous_response_id) {
    sendError(ex, 400, { error: { message: `Previous response with id '${body.previous_response_id}' not found.`, type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' } });
    return;
  }
  const items: Item[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : body.input;
  let inputTokens = countWords(typeof body.instructions === 'string' ? body.instructions : '');
  let lastUserText = '';
  for (const i of items) {
    const t = textOf(i.type === 'function_call_output' ? i.output : i.content);
    inputTokens += countWords(t);
    if ((i.type ?? 'message') === 'message' && i.role === 'user') lastUserText = t;
  }
  const last = items[items.length - 1];
  const lastIsUser = (last?.type ?? 'message') === 'message' && last?.role === 'user';
  const tools: any[] = Array.isArray(body.tools) ? body.tools.filter((t: any) => t?.type === 'function') : [];
  const choice = body.tool_choice;
  let call: { name: string; arguments: string } | undefined;
  if (ex.toolCall) call = { name: ex.toolCall.name, arguments: JSON.stringify(ex.toolCall.arguments) };
  else if (tools.length && choice !== 'none' && lastIsUser && ex.reply === undefined) {
    const wanted = choice && typeof choice === 'object' ? choice.name : undefined;
    const tool = (wanted && tools.find((t) => t.name === wanted)) || tools[0];
    call = { name: String(tool.name), arguments: JSON.stringify(valueFromSchema(tool.parameters, lastUserText)) };
  }
  const format = body.text?.format;
  const text = ex.reply ?? (format?.type === 'json_schema' ? jsonReply(format.schema, lastUserText) : format?.type === 'json_object' ? jsonReply(undefined, lastUserText) : echoReply(lastUserText));
  const id = nextId('resp_');
  const model = String(body.model ?? 'gpt-4o-mini');
  const created_at = Math.floor(Date.now() / 1000);
  const base = {
    id, object: 'response', created_at, background: false, error: null, incomplete_details: null, instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null, model, parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null },
    store: body.store ?? true, temperature: 1, text: body.text ?? { format: { type: 'text' } }, tool_choice: body.tool_choice ?? 'auto', tools: body.tools ?? [], top_p: 1, truncation: 'disabled', user: null, metadata: {},
  };
  const msgId = nextId('msg_');
  const fcId = nextId('fc_');
  const { pieces, text: streamed } = splitReply(text, ex.chunks);
  const outText = body.stream ? streamed : text;
  const part = { type: 'output_text', annotations: [], logprobs: [], text: outText };
  const item = call
    ? { id: fcId, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: nextId('call_'), name: call.name }
    : { id: msgId, type: 'message', status: 'completed', content: [part], role: 'assistant' };
  const outputTokens = countWords(call ? call.arguments : outText);
  const done = { ...base, status: 'completed', output: [item], usage: usage(inputTokens, outputTokens) };
  if (!body.stream) {
    sendJson(ex, 200, done);
    return;
  }
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  const progress = { ...base, status: 'in_progress', output: [], usage: null };
  const events = [ev('response.created', { response: progress }), ev('response.in_progress', { response: progress })];
  if (call && item.type === 'function_call') {
    events.push(ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } }));
    for (const delta of splitArguments(call.arguments)) events.push(ev('response.function_call_arguments.delta', { item_id: fcId, output_index: 0, delta }));
    events.push(ev('response.function_call_arguments.done', { item_id: fcId, output_index: 0, arguments: call.arguments }));
  } else {
    events.push(ev('response.output_item.added', { output_index: 0, item: { id: msgId, type: 'message', status: 'in_progress', content: [], role: 'assistant' } }));
    events.push(ev('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { ...part, text: '' } }));
    for (const delta of pieces) events.push(ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta, logprobs: [] }));
    events.push(ev('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text: outText, logprobs: [] }));
    events.push(ev('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part }));
  }
  events.push(ev('response.output_item.done', { output_index: 0, item }));
  events.push(ev('response.completed', { response: done }));
  sendStream(ex, {
    contentType: 'text/event-stream; charset=utf-8',
    events,
    errorEvent: (status) => ev('error', { code: status >= 500 ? 'server_error' : 'invalid_request', message: `Upstream error ${status}.`, param: null }),
  });
}
