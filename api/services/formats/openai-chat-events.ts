/**
 * Reads an OpenAI-wire upstream's chat answer (SSE or one JSON body) into the hub's chat events the
 * way @aigne/openai's OpenAIChatModel and the hub's chat adapter produce them — text as it comes,
 * then the tool calls, the JSON output and the usage — and hands them to a client format's ChatAnswer.
 * It is the relay reader for clients of another format (AIGNE) on a provider's OpenAI wire.
 */
import { safeParseJSON } from '@aigne/core/utils/json-utils.js';
import { randomUUID } from 'node:crypto';
import { ProviderError } from '../../errors.js';
import { toProviderError } from '../../providers/shared/provider-error.js';
import type { ChatEvent, ChatRequest, ChatToolCall, OpenAIChatDialect, TokenUsage } from '../../providers/types.js';
import { ChatAccumulator, type ChatAnswer, type RelayedWhole, type RelayReader, type RelayStream } from './chat-answer.js';
import { isJsonMode, openAIChatRequestFits, toOpenAIChatBody, wireToolName } from './openai-chat-request.js';

export interface OpenAIEventsOptions {
  /** JSON schema output: the answer's text is the JSON, sent as `json` rather than as text. */
  jsonMode: boolean;
  /** Tool names as the client gave them, by their name on the wire. */
  toolNames: Map<string, string>;
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}
interface OpenAIToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
interface OpenAIDelta {
  content?: string | null;
  reasoning?: unknown;
  refusal?: string | null;
  tool_calls?: OpenAIToolCallDelta[];
}

function usageOf(u: Record<string, unknown> | null | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  const cached = (u.prompt_tokens_details as { cached_tokens?: number } | undefined)?.cached_tokens;
  return { inputTokens: Number(u.prompt_tokens ?? 0), outputTokens: Number(u.completion_tokens ?? 0), ...(cached ? { cacheReadTokens: cached } : {}) };
}

/** An upstream error body (in a stream or a 200 answer) as the model classes report it. */
function upstreamError(error: unknown, provider: string): ProviderError {
  return toProviderError({ error }, { provider });
}

/** What the classes make of one answer's pieces, whether streamed or whole. */
class AnswerParts {
  text = '';
  refusal = '';
  calls: PartialCall[] = [];
  usage: TokenUsage | undefined;
  constructor(private readonly o: OpenAIEventsOptions) {}

  /** A streamed tool-call fragment, or a whole call (no index). */
  addCall(d: OpenAIToolCallDelta): void {
    if (d.index === undefined) {
      this.calls.push({ id: d.id || randomUUID(), name: d.function?.name ?? '', args: d.function?.arguments ?? '' });
      return;
    }
    const c = (this.calls[d.index] ??= { id: d.id || randomUUID(), name: '', args: '' });
    c.name += d.function?.name ?? '';
    c.args += d.function?.arguments ?? '';
  }

  /** The events that close the answer: tool calls, then the JSON output. */
  closing(provider: string): ChatEvent[] {
    if (this.refusal) throw new ProviderError(`${provider}: upstream protocol error: Got refusal from LLM: ${this.refusal}`, { kind: 'protocol' });
    const events: ChatEvent[] = [];
    const calls = this.calls.filter(Boolean);
    if (calls.length) {
      const toolCalls: ChatToolCall[] = calls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: this.o.toolNames.get(c.name) ?? c.name, arguments: ((c.args ? safeParseJSON(c.args) : {}) ?? {}) as Record<string, unknown> },
      }));
      events.push({ type: 'toolCalls', toolCalls });
    }
    if (this.o.jsonMode && this.text) {
      const json: unknown = safeParseJSON(this.text);
      if (json !== null && json !== undefined) events.push({ type: 'json', json });
    }
    return events;
  }
}

class OpenAIEventsStream implements RelayStream {
  ended = false;
  private readonly parts: AnswerParts;
  private textChars = 0;

  constructor(
    private readonly answer: ChatAnswer,
    private readonly o: OpenAIEventsOptions,
    private readonly provider: string,
  ) {
    this.parts = new AnswerParts(o);
  }

  get usage() {
    return this.parts.usage;
  }

  private emit(e: ChatEvent): string {
    if (e.type === 'text') this.textChars += e.text.length;
    return this.answer.streamEvent(e);
  }

  event({ data }: { data: string }): string {
    if (data === '[DONE]') {
      this.ended = true;
      return '';
    }
    const chunk = JSON.parse(data) as { error?: unknown; choices?: { delta?: OpenAIDelta }[]; usage?: Record<string, unknown> | null };
    if (chunk.error) throw upstreamError(chunk.error, this.provider);
    let out = '';
    const delta = chunk.choices?.[0]?.delta;
    if (delta) {
      for (const call of delta.tool_calls ?? []) this.parts.addCall(call);
      if (typeof delta.reasoning === 'string') out += this.emit({ type: 'thinking', text: delta.reasoning });
      if (delta.content) {
        this.parts.text += delta.content;
        if (!this.o.jsonMode) out += this.emit({ type: 'text', text: delta.content });
      }
      if (delta.refusal) this.parts.refusal += delta.refusal;
    }
    if (chunk.usage) this.parts.usage = usageOf(chunk.usage);
    return out;
  }

  /** About four characters a token, as the translated path estimates. */
  outputEstimate(): number {
    return Math.ceil(this.textChars / 4);
  }

  end(usage: TokenUsage): string {
    let out = '';
    for (const e of this.parts.closing(this.provider)) out += this.emit(e);
    return out + this.answer.streamEnd(usage);
  }
}

/** A whole `chat.completion` as the classes read it. */
function readWhole(text: string, o: OpenAIEventsOptions, provider: string): ChatAccumulator {
  const body = JSON.parse(text) as { error?: unknown; choices?: { message?: OpenAIDelta }[]; usage?: Record<string, unknown> | null };
  if (body.error) throw upstreamError(body.error, provider);
  const parts = new AnswerParts(o);
  const acc = new ChatAccumulator();
  const message = body.choices?.[0]?.message;
  if (message) {
    if (typeof message.reasoning === 'string') acc.add({ type: 'thinking', text: message.reasoning });
    if (message.content) {
      parts.text = message.content;
      if (!o.jsonMode) acc.add({ type: 'text', text: message.content });
    }
    for (const call of message.tool_calls ?? []) parts.addCall({ id: call.id, function: call.function });
    if (message.refusal) parts.refusal = message.refusal;
  }
  for (const e of parts.closing(provider)) acc.add(e);
  acc.usage = usageOf(body.usage);
  return acc;
}

/** The reader of an OpenAI-wire answer for a client whose format `answer` writes. */
export function openAIEventsReader(answer: ChatAnswer, o: OpenAIEventsOptions): RelayReader {
  return {
    stream: (provider = 'upstream') => new OpenAIEventsStream(answer, o, provider),
    whole: (text, provider = 'upstream'): RelayedWhole => {
      const acc = readWhole(text, o, provider);
      return {
        usage: acc.usage,
        outputEstimate: () => Math.ceil(acc.text.length / 4),
        text: (usage) => JSON.stringify(answer.whole(acc, usage)),
      };
    },
  };
}

/**
 * The same-wire part of a chat route whose clients speak another format (ChatOpenRequest's
 * `sameWire`): the request goes up as the provider's model class would write it, and the answer is
 * read back into the client's format. Providers whose class writes it differently get the adapter.
 */
export function translatedOpenAIWire(chatRequest: (upstreamModel: string) => ChatRequest, answer: ChatAnswer, stream: boolean) {
  const base = chatRequest('');
  const toolNames = new Map((base.tools ?? []).map((t) => [wireToolName(t.function.name), t.function.name]));
  return {
    wire: 'openai-chat' as const,
    body: (upstreamModel: string, dialect?: OpenAIChatDialect) => toOpenAIChatBody({ ...base, model: upstreamModel }, stream, dialect),
    fits: (dialect?: OpenAIChatDialect) => openAIChatRequestFits(base, dialect),
    relay: openAIEventsReader(answer, { jsonMode: isJsonMode(base), toolNames }),
  };
}
