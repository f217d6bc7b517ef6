/**
 * The one chat adapter every provider uses: a ChatRequest goes into an @aigne/core ChatModel built
 * for this call, invoked with `{ streaming: true }`; its chunks come out as ChatEvents.
 */
import type { ChatModel } from '@aigne/core';
import { AppError, BadRequestError } from '../../errors.js';
import type { CallOptions, ChatContentPart, ChatEvent, ChatRequest, ChatToolCall, ProviderAdapter, ProviderManifest, ProviderTarget, TokenUsage } from '../types.js';
import { type ChatInputOptions, toAigneChatInput } from './chat-input.js';
import { toProviderError } from './provider-error.js';
import { secretsOf } from './target.js';

export interface AigneChatCall {
  req: ChatRequest;
  target: ProviderTarget;
  /** Aborted when the caller aborts, the idle timeout fires, or the consumer stops reading. */
  signal: AbortSignal;
}

export interface AigneChatAdapterOptions extends Partial<ChatInputOptions> {
  manifest: ProviderManifest;
  /**
   * Build the model for one call: credential and base URL passed explicitly (never from the
   * environment), no SDK retries, `signal` wired into the SDK request, extra request fields added.
   * May be async: a provider loads its model package on first use.
   */
  createModel(call: AigneChatCall): ChatModel | Promise<ChatModel>;
}

interface AigneUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
}

function toUsage(u: AigneUsage): TokenUsage {
  const usage: TokenUsage = { inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0 };
  if (u.cacheReadInputTokens) usage.cacheReadTokens = u.cacheReadInputTokens;
  if (u.cacheCreationInputTokens) usage.cacheWriteTokens = u.cacheCreationInputTokens;
  return usage;
}

function toToolCalls(calls: unknown[]): ChatToolCall[] {
  return calls.map((c) => {
    const call = c as { id: string; function: { name: string; arguments: Record<string, unknown> }; metadata?: Record<string, unknown> };
    const out: ChatToolCall = { id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments ?? {} } };
    if (call.metadata && Object.keys(call.metadata).length) out.metadata = call.metadata;
    return out;
  });
}

/** The request with every image URL replaced by the image's bytes, fetched by the gateway's guarded fetcher. */
async function withImageBytes(req: ChatRequest, call: CallOptions): Promise<ChatRequest> {
  if (!req.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'url'))) return req;
  const fetchImage = call.fetchImage;
  if (!fetchImage) throw new BadRequestError('Image URLs are not accepted here: send the image inline (a data: URL)', { code: 'invalid_image_url' });
  const messages = await Promise.all(
    req.messages.map(async (m) => {
      if (!Array.isArray(m.content)) return m;
      const content = await Promise.all(
        m.content.map(async (p): Promise<ChatContentPart> => {
          if (p.type !== 'url') return p;
          const image = await fetchImage(p.url);
          return { type: 'file', data: image.data, mimeType: image.mimeType ?? p.mimeType };
        }),
      );
      return { ...m, content };
    }),
  );
  return { ...req, messages };
}

function timeoutReason(ms: number): Error {
  const err = new Error(`no data from the upstream for ${ms} ms`);
  err.name = 'TimeoutError';
  return err;
}

export function createAigneChatAdapter(options: AigneChatAdapterOptions): NonNullable<ProviderAdapter['chat']> {
  const inputOptions: ChatInputOptions = {
    jsonObject: options.jsonObject ?? 'schema',
    passImageUrls: options.passImageUrls ?? false,
  };
  const provider = options.manifest.displayName;

  return async function* chat(req: ChatRequest, target: ProviderTarget, call: CallOptions): AsyncGenerator<ChatEvent> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(call.signal.reason);
    if (call.signal.aborted) onAbort();
    else call.signal.addEventListener('abort', onAbort, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const timeoutMs = call.timeoutMs;
    const armIdle = () => {
      if (!timeoutMs) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => controller.abort(timeoutReason(timeoutMs)), timeoutMs);
    };
    const ctx = { signal: controller.signal, secrets: secretsOf(target), provider };
    let completed = false;
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      armIdle();
      const model = await options.createModel({ req, target, signal: controller.signal });
      // Most classes drop the `retryOnError: false` option (their constructors call super() bare), and
      // @aigne/core then retries network errors 3 times, replaying the partial stream. Retries and
      // failover are the gateway's decision.
      model.retryOnError = undefined;
      const input = inputOptions.passImageUrls ? req : await withImageBytes(req, call);
      const stream = await model.invoke(toAigneChatInput(input, inputOptions), { streaming: true });

      let sawText = false;
      let modelSent = false;
      let finalText: string | undefined;
      let usage: AigneUsage | undefined;
      let toolCalls: unknown[] | undefined;
      let json: unknown;
      for await (const chunk of stream as unknown as AsyncIterable<{ delta?: { text?: Record<string, unknown>; json?: Record<string, unknown> } }>) {
        armIdle();
        const delta = chunk?.delta;
        if (!delta) continue;
        const text = delta.text;
        if (text) {
          if (typeof text.text === 'string' && text.text) {
            sawText = true;
            yield { type: 'text', text: text.text };
          }
          if (typeof text.thoughts === 'string' && text.thoughts) yield { type: 'thinking', text: text.thoughts };
        }
        const j = delta.json;
        if (j) {
          if (!modelSent && typeof j.model === 'string' && j.model) {
            modelSent = true;
            yield { type: 'model', model: j.model };
          }
          if (j.usage && typeof j.usage === 'object') usage = j.usage as AigneUsage;
          if (Array.isArray(j.toolCalls)) toolCalls = j.toolCalls;
          if (j.json !== undefined && j.json !== null) json = j.json;
          // The closing chunk repeats the whole text: only used when no text was streamed.
          if (typeof j.text === 'string') finalText = j.text;
        }
      }
      // Some SDKs end a stream quietly when it is aborted: that is not a completed answer.
      if (controller.signal.aborted) throw controller.signal.reason;
      if (!sawText && finalText) yield { type: 'text', text: finalText };
      if (toolCalls?.length) yield { type: 'toolCalls', toolCalls: toToolCalls(toolCalls) };
      if (json !== undefined) yield { type: 'json', json };
      if (usage) yield { type: 'usage', usage: toUsage(usage) };
      completed = true;
    } catch (err) {
      // The hub's own verdicts on the request (an image it may not fetch) are not the provider's failures.
      if (err instanceof AppError) throw err;
      throw toProviderError(err, ctx);
    } finally {
      if (idle) clearTimeout(idle);
      call.signal.removeEventListener('abort', onAbort);
      // An error, or a consumer that stopped reading: close the upstream request.
      if (!completed && !controller.signal.aborted) controller.abort();
    }
  };
}
