/**
 * The OpenAI Responses format's answers: the hub's chat events as the Responses event stream (each
 * event with its `sequence_number`) or one `response` object, the reading of OpenAI's own answer
 * (usage, errors, and the final response, which the hub keeps; the hub's id and the client's model
 * name put in), and the stream's error event.
 */
import { ProviderError } from '../../errors.js';
import { upstreamErrorMessage } from '../../providers/shared/wire-endpoint.js';
import type { ChatEvent, ChatToolCall, TokenUsage } from '../../providers/types.js';
import type { ChatAccumulator, ChatAnswer, RelayedWhole, RelayStream } from './chat-answer.js';
import { estimateTokens } from './chat-answer.js';
import type { OpenAIResponsesRequest } from './openai-responses.js';

export function toResponsesUsage(u: TokenUsage) {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}

export function usageFromResponses(u: Record<string, unknown> | null | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  const cached = (u.input_tokens_details as { cached_tokens?: number } | undefined)?.cached_tokens;
  return { inputTokens: Number(u.input_tokens ?? 0), outputTokens: Number(u.output_tokens ?? 0), ...(cached ? { cacheReadTokens: cached } : {}) };
}

const argText = (a: ChatToolCall['function']['arguments']) => (typeof a === 'string' ? a : JSON.stringify(a));

/** The text of a response's message items, as the SDKs' `output_text`. */
export function outputText(output: unknown[]): string {
  let text = '';
  for (const item of output as { type?: string; content?: { type?: string; text?: string }[] }[]) {
    if (item.type === 'message') for (const c of item.content ?? []) if (c.type === 'output_text') text += c.text ?? '';
  }
  return text;
}

export interface ResponsesAnswerOptions {
  /** The response's id (`resp_<call id>`). */
  id: string;
  /** The model name the client sent. */
  model: string;
  request: OpenAIResponsesRequest;
  /** Told the final response's JSON before the call is settled (the hub keeps it when `store`). */
  onFinal?(response: string): void;
}

/** The response object's fields that echo the request. */
function responseObject(o: ResponsesAnswerOptions, createdAt: number, status: string, output: unknown[], usage: TokenUsage | null): Record<string, unknown> {
  const r = o.request;
  return {
    id: o.id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: o.model,
    output,
    output_text: outputText(output),
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: r.store ?? true,
    temperature: r.temperature ?? 1,
    text: r.text ?? { format: { type: 'text' } },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_p: r.top_p ?? 1,
    truncation: 'disabled',
    usage: usage ? toResponsesUsage(usage) : null,
    user: null,
    metadata: r.metadata ?? {},
  };
}

/** Writes one translated answer as the Responses event stream. */
class ResponsesStreamWriter {
  seq = 0;
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private started = false;
  private readonly output: Record<string, unknown>[] = [];
  /** The message item being written, and its text so far. */
  private message: { id: string; index: number; text: string } | null = null;

  constructor(private readonly o: ResponsesAnswerOptions) {}

  private ev(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...fields })}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseObject(this.o, this.createdAt, 'in_progress', [], null);
    return this.ev('response.created', { response }) + this.ev('response.in_progress', { response });
  }

  private itemId = (prefix: string) => `${prefix}_${this.o.id.slice(5)}_${this.output.length}`;

  private openMessage(): string {
    if (this.message) return '';
    this.message = { id: this.itemId('msg'), index: this.output.length, text: '' };
    this.output.push({});
    const { id, index } = this.message;
    return (
      this.ev('response.output_item.added', { output_index: index, item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } }) +
      this.ev('response.content_part.added', { item_id: id, output_index: index, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } })
    );
  }

  private closeMessage(): string {
    const m = this.message;
    if (!m) return '';
    this.message = null;
    const part = { type: 'output_text', annotations: [], logprobs: [], text: m.text };
    const item = { id: m.id, type: 'message', status: 'completed', content: [part], role: 'assistant' };
    this.output[m.index] = item;
    return (
      this.ev('response.output_text.done', { item_id: m.id, output_index: m.index, content_index: 0, text: m.text, logprobs: [] }) +
      this.ev('response.content_part.done', { item_id: m.id, output_index: m.index, content_index: 0, part }) +
      this.ev('response.output_item.done', { output_index: m.index, item })
    );
  }

  event(e: ChatEvent): string {
    if (e.type === 'text' || e.type === 'json') {
      const text = e.type === 'text' ? e.text : JSON.stringify(e.json);
      if (!text) return this.start();
      let out = this.start() + this.openMessage();
      const m = this.message!;
      m.text += text;
      out += this.ev('response.output_text.delta', { item_id: m.id, output_index: m.index, content_index: 0, delta: text, logprobs: [] });
      return out;
    }
    if (e.type !== 'toolCalls') return this.start();
    let out = this.start() + this.closeMessage();
    for (const c of e.toolCalls) {
      const index = this.output.length;
      const id = this.itemId('fc');
      const args = argText(c.function.arguments);
      const item = { id, type: 'function_call', status: 'completed', arguments: args, call_id: c.id, name: c.function.name };
      this.output.push(item);
      out += this.ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
      out += this.ev('response.function_call_arguments.delta', { item_id: id, output_index: index, delta: args });
      out += this.ev('response.function_call_arguments.done', { item_id: id, output_index: index, name: c.function.name, arguments: args });
      out += this.ev('response.output_item.done', { output_index: index, item });
    }
    return out;
  }

  end(usage: TokenUsage): string {
    const out = this.start() + this.closeMessage();
    const response = JSON.stringify(responseObject(this.o, this.createdAt, 'completed', this.output, usage));
    this.o.onFinal?.(response);
    return `${out}event: response.completed\ndata: ${withResponse({ type: 'response.completed', sequence_number: this.seq++ }, response)}\n\n`;
  }
}

/** A whole translated answer as a response object. */
export function toResponseObject(acc: ChatAccumulator, o: ResponsesAnswerOptions, usage: TokenUsage): Record<string, unknown> {
  const output: Record<string, unknown>[] = [];
  const tag = o.id.slice(5);
  const text = acc.content;
  if (text) output.push({ id: `msg_${tag}_0`, type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text }], role: 'assistant' });
  for (const c of acc.toolCalls) output.push({ id: `fc_${tag}_${output.length}`, type: 'function_call', status: 'completed', arguments: argText(c.function.arguments), call_id: c.id, name: c.function.name });
  return responseObject(o, Math.floor(Date.now() / 1000), 'completed', output, usage);
}

/** A response object as the hub's chat events (what the translation tests compare). */
export function eventsFromResponse(response: { output?: unknown[]; usage?: Record<string, unknown> | null }): ChatEvent[] {
  const events: ChatEvent[] = [];
  const text = outputText(response.output ?? []);
  if (text) events.push({ type: 'text', text });
  for (const i of (response.output ?? []) as Record<string, string>[]) {
    if (i.type === 'function_call') events.push({ type: 'toolCalls', toolCalls: [{ id: i.call_id!, type: 'function', function: { name: i.name!, arguments: JSON.parse(i.arguments || '{}') as Record<string, unknown> } }] });
  }
  const usage = usageFromResponses(response.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}

/** What the hub puts in OpenAI's response objects: its own id, the client's model, and the client's store fields. */
function ownResponse(response: Record<string, unknown>, o: ResponsesAnswerOptions): Record<string, unknown> {
  response.id = o.id;
  response.model = o.model;
  response.store = o.request.store ?? true;
  response.previous_response_id = o.request.previous_response_id ?? null;
  if (Array.isArray(response.output)) response.output_text = outputText(response.output);
  return response;
}

/** An event's JSON with the response's JSON (already written) as its last field. */
function withResponse(fields: Record<string, unknown>, response: string): string {
  const head = JSON.stringify(fields);
  return head === '{}' ? `{"response":${response}}` : `${head.slice(0, -1)},"response":${response}}`;
}

const LIFECYCLE = new Set(['response.created', 'response.in_progress', 'response.completed', 'response.incomplete', 'response.queued']);
const SEQUENCE = /"sequence_number"\s*:\s*(\d+)/;
/** An event's opening members as OpenAI writes them: its type and its sequence number. */
const EVENT_HEAD = /^\{"type":"[a-z._]+","sequence_number":\d+,/;

class ResponsesRelayStream implements RelayStream {
  usage: TokenUsage | undefined;
  ended = false;
  private deltas = 0;
  /** The last event's data: its sequence number is read only when the hub writes an event of its own. */
  private last = '';
  /** The last lifecycle event's text after its head, as the upstream sent it and as the hub sends it. */
  private previous: { rest: string; own: string } | undefined;

  constructor(private readonly o: ResponsesAnswerOptions) {}

  /** The next sequence number, for an error event of the hub's own. */
  get seq(): number {
    const m = SEQUENCE.exec(this.last);
    return m ? Number(m[1]) + 1 : 0;
  }

  event({ event, data }: { event?: string; data: string }): string {
    if (data.includes('"sequence_number"')) this.last = data;
    if (event === 'error' || event === 'response.failed') throw new ProviderError(upstreamErrorMessage(event === 'response.failed' ? JSON.stringify((JSON.parse(data) as { response?: unknown }).response ?? {}) : data), { kind: 'protocol' });
    if (event && LIFECYCLE.has(event)) {
      const final = event === 'response.completed' || event === 'response.incomplete';
      const head = final ? null : EVENT_HEAD.exec(data);
      // `response.in_progress` repeats `response.created`'s response: the same text after the head is the same answer.
      if (head && this.previous && data.length - head[0].length === this.previous.rest.length && data.endsWith(this.previous.rest)) {
        return `event: ${event}\ndata: ${head[0]}${this.previous.own}\n\n`;
      }
      const parsed = JSON.parse(data) as { response?: Record<string, unknown> };
      const response = parsed.response;
      if (!response) return `event: ${event}\ndata: ${data}\n\n`;
      ownResponse(response, this.o);
      if (!final) {
        const out = JSON.stringify(parsed);
        // Written from the parsed event, whose members keep their order: the same head opens both texts.
        if (head && out.startsWith(head[0])) this.previous = { rest: data.slice(head[0].length), own: out.slice(head[0].length) };
        return `event: ${event}\ndata: ${out}\n\n`;
      }
      this.ended = true;
      this.usage = usageFromResponses(response.usage as Record<string, unknown> | undefined);
      // The response's JSON is written once: for the client and for the stored response.
      const text = JSON.stringify(response);
      this.o.onFinal?.(text);
      delete parsed.response;
      return `event: ${event}\ndata: ${withResponse(parsed, text)}\n\n`;
    }
    if (event === 'response.output_text.delta' || event === 'response.function_call_arguments.delta') this.deltas += 1;
    return `event: ${event}\ndata: ${data}\n\n`;
  }

  outputEstimate(): number {
    return this.deltas;
  }

  end(): string {
    return '';
  }
}

/** The Responses stream's error event, for the route's error format. */
export function responsesErrorEvent(err: { status: number; message: string; type?: string; code?: string }, seq: number): string {
  const error = { type: err.type ?? 'server_error', code: err.code ?? null, message: err.message, param: null };
  return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: seq, error })}\n\n`;
}

export function openAIResponsesAnswer(o: ResponsesAnswerOptions): ChatAnswer & { nextSequence(): number } {
  const writer = new ResponsesStreamWriter(o);
  let relayStream: ResponsesRelayStream | undefined;
  return {
    nextSequence: () => relayStream?.seq ?? writer.seq,
    streamEvent: (e) => writer.event(e),
    streamEnd: (usage) => writer.end(usage),
    whole: (acc, usage) => {
      const response = toResponseObject(acc, o, usage);
      o.onFinal?.(JSON.stringify(response));
      return response;
    },
    relay: {
      stream: () => (relayStream = new ResponsesRelayStream(o)),
      whole: (text): RelayedWhole => {
        const response = JSON.parse(text) as Record<string, unknown>;
        if (typeof response !== 'object' || response === null || Array.isArray(response)) throw new Error('the answer is not a JSON object');
        if (response.status === 'failed') throw new ProviderError(upstreamErrorMessage(JSON.stringify(response)), { kind: 'protocol' });
        ownResponse(response, o);
        // Written once: for the client and for the stored response.
        const json = JSON.stringify(response);
        o.onFinal?.(json);
        return { usage: usageFromResponses(response.usage as Record<string, unknown> | undefined), outputEstimate: () => estimateTokens(response.output), text: () => json };
      },
    },
  };
}
