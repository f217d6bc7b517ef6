/**
 * The Anthropic Messages format's answers: the hub's chat events as Anthropic's event stream
 * (`message_start` … `message_stop`) or one `message` object, the reading of an Anthropic
 * upstream's own answer (usage and errors only; the client's model name put in), and its errors.
 */
import { ProviderError } from '../../errors.js';
import { upstreamErrorMessage } from '../../providers/shared/wire-endpoint.js';
import type { ChatEvent, TokenUsage } from '../../providers/types.js';
import type { ChatAccumulator, ChatAnswer, RelayedWhole, RelayStream } from './chat-answer.js';
import { estimateTokens } from './chat-answer.js';
import { argsObject } from './anthropic-messages.js';

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** Anthropic counts cached input apart from `input_tokens`; the hub's input count includes it. */
export function usageFromAnthropic(u: Record<string, unknown> | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  const read = Number(u.cache_read_input_tokens ?? 0);
  const write = Number(u.cache_creation_input_tokens ?? 0);
  return {
    inputTokens: Number(u.input_tokens ?? 0) + read + write,
    outputTokens: Number(u.output_tokens ?? 0),
    ...(read ? { cacheReadTokens: read } : {}),
    ...(write ? { cacheWriteTokens: write } : {}),
  };
}

export function toAnthropicUsage(u: TokenUsage) {
  const read = u.cacheReadTokens ?? 0;
  const write = u.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.inputTokens - read - write),
    output_tokens: u.outputTokens,
    ...(read ? { cache_read_input_tokens: read } : {}),
    ...(write ? { cache_creation_input_tokens: write } : {}),
  };
}

type BlockKind = 'text' | 'thinking' | null;

/** Writes one translated answer as Anthropic's event stream. */
class AnthropicStreamWriter {
  private started = false;
  private index = -1;
  private open: BlockKind = null;
  sawToolCalls = false;

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const message = { id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
    return `${sse('message_start', { type: 'message_start', message })}event: ping\ndata: {"type":"ping"}\n\n`;
  }

  private close(): string {
    if (this.open === null) return '';
    this.open = null;
    return sse('content_block_stop', { type: 'content_block_stop', index: this.index });
  }

  private block(kind: Exclude<BlockKind, null>): string {
    if (this.open === kind) return '';
    const out = this.close();
    this.open = kind;
    this.index += 1;
    const content_block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return `${out}${sse('content_block_start', { type: 'content_block_start', index: this.index, content_block })}`;
  }

  event(e: ChatEvent): string {
    switch (e.type) {
      case 'text':
      case 'json': {
        const text = e.type === 'text' ? e.text : JSON.stringify(e.json);
        if (!text) return this.start();
        return `${this.start()}${this.block('text')}${sse('content_block_delta', { type: 'content_block_delta', index: this.index, delta: { type: 'text_delta', text } })}`;
      }
      case 'thinking':
        if (!e.text) return this.start();
        return `${this.start()}${this.block('thinking')}${sse('content_block_delta', { type: 'content_block_delta', index: this.index, delta: { type: 'thinking_delta', thinking: e.text } })}`;
      case 'toolCalls': {
        let out = `${this.start()}${this.close()}`;
        for (const c of e.toolCalls) {
          this.sawToolCalls = true;
          this.index += 1;
          const args = typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments);
          out += sse('content_block_start', { type: 'content_block_start', index: this.index, content_block: { type: 'tool_use', id: c.id, name: c.function.name, input: {} } });
          out += sse('content_block_delta', { type: 'content_block_delta', index: this.index, delta: { type: 'input_json_delta', partial_json: args } });
          out += sse('content_block_stop', { type: 'content_block_stop', index: this.index });
        }
        return out;
      }
      default:
        return '';
    }
  }

  end(usage: TokenUsage): string {
    const delta = { stop_reason: this.sawToolCalls ? 'tool_use' : 'end_turn', stop_sequence: null };
    return `${this.start()}${this.close()}${sse('message_delta', { type: 'message_delta', delta, usage: toAnthropicUsage(usage) })}${sse('message_stop', { type: 'message_stop' })}`;
  }
}

export function toAnthropicMessage(acc: ChatAccumulator, id: string, model: string, usage: TokenUsage) {
  const content: Record<string, unknown>[] = [];
  if (acc.thinking) content.push({ type: 'thinking', thinking: acc.thinking, signature: '' });
  const text = acc.text || (acc.json !== undefined ? JSON.stringify(acc.json) : '');
  if (text || !acc.toolCalls.length) content.push({ type: 'text', text });
  for (const c of acc.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.function.name, input: argsObject(c.function.arguments) });
  return { id, type: 'message', role: 'assistant', model, content, stop_reason: acc.toolCalls.length ? 'tool_use' : 'end_turn', stop_sequence: null, usage: toAnthropicUsage(usage) };
}

/** A whole Anthropic message as the hub's chat events (what the translation tests compare). */
export function eventsFromAnthropicMessage(message: { content?: Record<string, unknown>[]; usage?: Record<string, unknown> }): ChatEvent[] {
  const events: ChatEvent[] = [];
  for (const b of message.content ?? []) {
    if (b.type === 'text' && b.text) events.push({ type: 'text', text: String(b.text) });
    if (b.type === 'thinking' && b.thinking) events.push({ type: 'thinking', text: String(b.thinking) });
    if (b.type === 'tool_use') events.push({ type: 'toolCalls', toolCalls: [{ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: (b.input ?? {}) as Record<string, unknown> } }] });
  }
  const usage = usageFromAnthropic(message.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}

/** Relays an Anthropic stream: the client's model name in `message_start`, usage read from it and from `message_delta`. */
class AnthropicRelayStream implements RelayStream {
  usage: TokenUsage | undefined;
  ended = false;
  private deltas = 0;
  /** The usage counters as Anthropic sent them so far. */
  private raw: Record<string, unknown> = {};

  constructor(private readonly model: string) {}

  event({ event, data }: { event?: string; data: string }): string {
    switch (event) {
      case 'message_start': {
        const parsed = JSON.parse(data) as { message?: { model?: string; usage?: Record<string, unknown> } };
        if (parsed.message) {
          parsed.message.model = this.model;
          this.raw = parsed.message.usage ?? {};
          this.usage = usageFromAnthropic(this.raw);
        }
        return sse('message_start', parsed);
      }
      case 'message_delta': {
        const usage = (JSON.parse(data) as { usage?: Record<string, unknown> }).usage;
        // Its counters are totals, each present only where it applies.
        if (usage) {
          this.raw = { ...this.raw, ...usage };
          this.usage = usageFromAnthropic(this.raw);
        }
        break;
      }
      case 'message_stop':
        this.ended = true;
        break;
      case 'error':
        throw new ProviderError(upstreamErrorMessage(data), { kind: 'protocol' });
      case 'content_block_delta':
        this.deltas += 1;
        break;
    }
    return `event: ${event}\ndata: ${data}\n\n`;
  }

  outputEstimate(): number {
    return this.deltas;
  }

  end(): string {
    return '';
  }
}

export interface AnthropicAnswerOptions {
  /** The answer's id (`msg_<call id>`). */
  id: string;
  /** The model name the client sent, echoed in every answer. */
  model: string;
}

export function anthropicMessagesAnswer(o: AnthropicAnswerOptions): ChatAnswer {
  const writer = new AnthropicStreamWriter(o.id, o.model);
  return {
    streamEvent: (e) => writer.event(e),
    streamEnd: (usage) => writer.end(usage),
    whole: (acc, usage) => toAnthropicMessage(acc, o.id, o.model, usage),
    relay: {
      stream: () => new AnthropicRelayStream(o.model),
      whole: (text): RelayedWhole => {
        const message = JSON.parse(text) as Record<string, unknown>;
        if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new Error('the answer is not a JSON object');
        message.model = o.model;
        return {
          usage: usageFromAnthropic(message.usage as Record<string, unknown> | undefined),
          outputEstimate: () => estimateTokens(message.content),
          text: () => JSON.stringify(message),
        };
      },
    },
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Anthropic's error body `{"type": "error", "error": {"type", "message"}}` for a status. */
export function anthropicErrorBody(err: { status: number; message: string }) {
  return { type: 'error', error: { type: ERROR_TYPES[err.status] ?? (err.status >= 500 ? 'api_error' : 'invalid_request_error'), message: err.message } };
}

/** How the Messages routes write errors (an ErrorFormat, middlewares/error-handler.ts). */
export const anthropicErrors = {
  body: anthropicErrorBody,
  event: (err: { status: number; message: string }) => sse('error', anthropicErrorBody(err)),
};
