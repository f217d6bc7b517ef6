/** API.md §3/§4: the models a caller may use, and a streamed chat through `/api/v1` for the playground. */
import { readSseEvents } from './sse.js';
import { ApiError, errorFromBody, isRecord, queryString, request, send } from './request.js';
import type { ChatMessage, ChatStreamResult, ChatUsage, HubModel } from './types.js';

export const MODEL_CALL_ID_HEADER = 'x-aigne-hub-model-call-id';

export async function listModels(type: HubModel['type'] = 'chat', signal?: AbortSignal): Promise<HubModel[]> {
  return request<HubModel[]>('GET', `/api/ai/models${queryString({ type })}`, { signal });
}

/** The `provider/model` name to send for a model listed by `/api/ai/models`. */
export function qualifiedModelName(model: Pick<HubModel, 'model' | 'provider'>): string {
  if (!model.provider || model.model.startsWith(`${model.provider}/`)) return model.model;
  return `${model.provider}/${model.model}`;
}

export interface StreamChatOptions {
  model: string;
  messages: ChatMessage[];
  signal?: AbortSignal;
  /** Called with each piece of text as it arrives. */
  onDelta?: (text: string) => void;
  /** Called as soon as the response headers name the call. */
  onCallId?: (callId: string) => void;
  temperature?: number;
}

/** The parts of an OpenAI `chat.completion.chunk` the playground reads. */
interface Chunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | null;
}

/** Read an OpenAI chat.completion.chunk stream; stops at `[DONE]`, throws on an error event. */
export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  handlers: { onDelta?: (text: string) => void; signal?: AbortSignal; status?: number } = {},
): Promise<Omit<ChatStreamResult, 'callId'>> {
  let text = '';
  let usage: ChatUsage | null = null;
  let finishReason: string | null = null;
  for await (const event of readSseEvents(body, handlers.signal)) {
    const data = event.data.trim();
    if (data === '[DONE]') break;
    if (!data) continue;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      continue;
    }
    if (!isRecord(chunk)) continue;
    if ('error' in chunk) throw errorFromBody(handlers.status && handlers.status >= 400 ? handlers.status : 502, chunk);
    const { choices, usage: u } = chunk as Chunk;
    for (const choice of choices ?? []) {
      const content = choice.delta?.content;
      if (content) {
        text += content;
        handlers.onDelta?.(content);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    if (u) {
      usage = {
        promptTokens: u.prompt_tokens,
        completionTokens: u.completion_tokens,
        totalTokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens,
      };
    }
  }
  return { text, usage, finishReason };
}

/** Streamed chat through the OpenAI-compatible endpoint; the session cookie authenticates it. */
export async function streamChat(options: StreamChatOptions): Promise<ChatStreamResult> {
  const res = await send('POST', '/api/v1/chat/completions', {
    accept: 'text/event-stream',
    signal: options.signal,
    body: {
      model: options.model,
      messages: options.messages,
      stream: true,
      stream_options: { include_usage: true },
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    },
  });
  const callId = res.headers.get(MODEL_CALL_ID_HEADER);
  if (callId) options.onCallId?.(callId);
  if (!res.body) throw new ApiError(res.status, 'server_error', 'The response has no body.');
  const result = await readChatStream(res.body, { onDelta: options.onDelta, signal: options.signal, status: res.status });
  return { callId, ...result };
}
