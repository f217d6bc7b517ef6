/** Hooks into an `openai` client instance owned by one call: abort signal, extra body fields, error shapes. */
import OpenAI from 'openai';
import { sdkFetch } from './sdk-fetch.js';

type Loose = Record<string, unknown>;
type LooseMethod = (body: Loose, options?: Loose) => unknown;

export interface OpenAIClientPatch {
  signal: AbortSignal;
  /** Fields merged into every chat completion request body (max_tokens, stop, response_format …). */
  chatBody?: Loose;
  /** Fields merged into every image generation request body. */
  imageBody?: Loose;
}

function wrap(target: unknown, key: string, body: Loose | undefined, signal: AbortSignal, transform?: (b: Loose) => Loose): void {
  const holder = target as Record<string, LooseMethod>;
  const original = holder[key]!.bind(target);
  holder[key] = (b, options) => {
    let merged = body ? { ...b, ...body } : b;
    if (transform) merged = transform(merged);
    return original(merged, { ...options, signal });
  };
}

/** `tool_choice` naming one tool is `{type: 'function', function: {name}}` on the wire, nothing more. */
function trimToolChoice(body: Loose): Loose {
  const choice = body.tool_choice as { type?: string; function?: { name?: string } } | undefined;
  if (choice && typeof choice === 'object' && choice.function?.name) {
    return { ...body, tool_choice: { type: 'function', function: { name: choice.function.name } } };
  }
  return body;
}

/**
 * Route the signal into every request of `client`, add per-call body fields, and keep the status of
 * an error whose body is not JSON (an HTML 502 page): @aigne/openai's client otherwise turns it into
 * a TypeError.
 */
export function patchOpenAIClient(client: OpenAI, patch: OpenAIClientPatch): void {
  wrap(client.chat.completions, 'create', patch.chatBody, patch.signal, trimToolChoice);
  wrap(client.images, 'generate', patch.imageBody, patch.signal);
  wrap(client.embeddings, 'create', undefined, patch.signal);
  const c = client as unknown as { makeStatusError: (status: number, error: unknown, message: string | undefined, headers: Headers) => Error };
  const makeStatusError = c.makeStatusError.bind(client);
  c.makeStatusError = (status, error, message, headers) => {
    try {
      return makeStatusError(status, error, message, headers);
    } catch {
      return OpenAI.APIError.generate(status, error as Loose | undefined, message, headers);
    }
  };
}

/** Client options that keep the SDK from reading the environment or retrying on its own; it fetches on the shared pool. */
export function openAIClientOptions(apiKey: string, baseURL: string) {
  return { apiKey, baseURL, maxRetries: 0, organization: null, project: null, webhookSecret: null, fetch: sdkFetch };
}
