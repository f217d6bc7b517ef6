/**
 * The OpenAI Chat Completions format's answers: the hub's chat events as `chat.completion.chunk` /
 * `chat.completion` objects, and the reading of an OpenAI-wire upstream's own answer (usage and
 * errors only; the rest goes to the client as the upstream wrote it, with the client's model name).
 */
import { ProviderError } from '../../errors.js';
import { sseData } from '../../lib/sse.js';
import { upstreamErrorMessage } from '../../providers/shared/wire-endpoint.js';
import type { ChatEvent, ChatToolCall, TokenUsage } from '../../providers/types.js';
import type { ChatAccumulator, ChatAnswer, RelayedWhole, RelayStream } from './chat-answer.js';
import { estimateTokens } from './chat-answer.js';
import { readAnswer } from './openai-answer.js';

function toOpenAIUsage(u: TokenUsage) {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    ...(u.cacheReadTokens ? { prompt_tokens_details: { cached_tokens: u.cacheReadTokens } } : {}),
  };
}

/** An OpenAI `usage` object as the hub counts it. */
function usageFromOpenAI(u: Record<string, unknown> | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  const details = u.prompt_tokens_details as { cached_tokens?: number } | undefined;
  return {
    inputTokens: Number(u.prompt_tokens ?? 0),
    outputTokens: Number(u.completion_tokens ?? 0),
    ...(details?.cached_tokens ? { cacheReadTokens: details.cached_tokens } : {}),
  };
}

const argText = (a: ChatToolCall['function']['arguments']) => (typeof a === 'string' ? a : JSON.stringify(a));

function toOpenAIToolCalls(calls: ChatToolCall[]) {
  return calls.map((c, index) => ({ index, id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: argText(c.function.arguments) } }));
}

/** Builds `chat.completion.chunk` objects for one streamed response. */
class OpenAIChunkWriter {
  readonly created = Math.floor(Date.now() / 1000);
  private sentRole = false;
  sawToolCalls = false;
  constructor(
    readonly id: string,
    readonly model: string,
  ) {}

  private chunk(delta: Record<string, unknown>, finish: string | null = null) {
    if (!this.sentRole) {
      delta = { role: 'assistant', ...delta };
      this.sentRole = true;
    }
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  }

  /** The chunk for one event, or null when the event carries nothing for the client. */
  event(e: ChatEvent): object | null {
    switch (e.type) {
      case 'text':
        return e.text ? this.chunk({ content: e.text }) : null;
      case 'json':
        return this.chunk({ content: JSON.stringify(e.json) });
      case 'toolCalls':
        this.sawToolCalls = true;
        return this.chunk({ tool_calls: toOpenAIToolCalls(e.toolCalls) });
      default:
        return null;
    }
  }

  finish(): object {
    return this.chunk({}, this.sawToolCalls ? 'tool_calls' : 'stop');
  }

  usage(u: TokenUsage): object {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: toOpenAIUsage(u) };
  }
}

function toOpenAICompletion(acc: ChatAccumulator, id: string, model: string, usage: TokenUsage) {
  const tool_calls = acc.toolCalls.length ? toOpenAIToolCalls(acc.toolCalls).map(({ index: _i, ...c }) => c) : undefined;
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: acc.content, refusal: null, ...(tool_calls ? { tool_calls } : {}) },
        logprobs: null,
        finish_reason: tool_calls ? 'tool_calls' : 'stop',
      },
    ],
    usage: toOpenAIUsage(usage),
  };
}

const MODEL_FIELD = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/;
/** A chunk that carries usage (OpenAI sends `"usage":null` on the others when usage is asked for). */
const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/** Relays an OpenAI stream: the client's model name in every chunk, the usage chunk only if asked for. */
class OpenAIRelayStream implements RelayStream {
  usage: TokenUsage | undefined;
  ended = false;
  private contentChunks = 0;
  private readonly modelField: string;

  constructor(
    private readonly writer: OpenAIChunkWriter,
    private readonly wantUsage: boolean,
  ) {
    this.modelField = `"model":${JSON.stringify(writer.model)}`;
  }

  event({ data }: { data: string }): string {
    if (data === '[DONE]') {
      this.ended = true;
      return '';
    }
    if (data.includes('"error"')) {
      const parsed = JSON.parse(data) as { error?: unknown };
      if (parsed.error) throw new ProviderError(upstreamErrorMessage(data), { kind: 'protocol' });
    }
    if (USAGE_OBJECT.test(data)) {
      const obj = JSON.parse(data) as { usage?: Record<string, unknown> | null; choices?: unknown[]; model?: string };
      if (obj.choices?.length) this.contentChunks += 1;
      if (obj.usage) {
        this.usage = usageFromOpenAI(obj.usage);
        if (!this.wantUsage) {
          if (!obj.choices?.length) return '';
          delete obj.usage;
        }
      }
      obj.model = this.writer.model;
      return sseData(obj);
    }
    this.contentChunks += 1;
    return `data: ${data.replace(MODEL_FIELD, this.modelField)}\n\n`;
  }

  /** About a token a content chunk; the last chunk of a complete stream (finish_reason) carries none. */
  outputEstimate(complete: boolean): number {
    return complete ? Math.max(0, this.contentChunks - 1) : this.contentChunks;
  }

  end(usage: TokenUsage, estimated: boolean): string {
    return `${estimated && this.wantUsage ? sseData(this.writer.usage(usage)) : ''}data: [DONE]\n\n`;
  }
}

export interface OpenAIAnswerOptions {
  /** The answer's id (`chatcmpl-<call id>`). */
  id: string;
  /** The model name the client sent, echoed in every answer. */
  model: string;
  /** `stream_options.include_usage`: the stream's last chunk before `[DONE]` carries usage. */
  includeUsage: boolean;
}

export function openAIChatAnswer(o: OpenAIAnswerOptions): ChatAnswer {
  const writer = new OpenAIChunkWriter(o.id, o.model);
  return {
    streamEvent: (e) => {
      const chunk = writer.event(e);
      return chunk ? sseData(chunk) : '';
    },
    streamEnd: (usage) => `${sseData(writer.finish())}${o.includeUsage ? sseData(writer.usage(usage)) : ''}data: [DONE]\n\n`,
    whole: (acc, usage) => toOpenAICompletion(acc, o.id, o.model, usage),
    relay: {
      stream: () => new OpenAIRelayStream(writer, o.includeUsage),
      whole: (text): RelayedWhole => {
        const answer = readAnswer(text);
        return { usage: usageFromOpenAI(answer.usage), outputEstimate: () => estimateTokens(answer.content()), text: () => answer.text(o.model) };
      },
    },
  };
}

/** A whole `chat.completion` as the hub's chat events (what the translation tests compare). */
export function eventsFromOpenAICompletion(completion: { choices?: { message?: { content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] } }[]; usage?: Record<string, unknown> }): ChatEvent[] {
  const events: ChatEvent[] = [];
  const message = completion.choices?.[0]?.message;
  if (message?.content) events.push({ type: 'text', text: message.content });
  for (const t of message?.tool_calls ?? []) events.push({ type: 'toolCalls', toolCalls: [{ id: t.id, type: 'function', function: { name: t.function.name, arguments: JSON.parse(t.function.arguments || '{}') as Record<string, unknown> } }] });
  const usage = usageFromOpenAI(completion.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}
