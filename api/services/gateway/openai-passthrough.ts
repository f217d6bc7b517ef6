/**
 * Same-wire pass-through for OpenAI-compatible upstreams: the client's OpenAI request goes upstream
 * as it is (model renamed, usage requested), and the answer comes back parsed only where it must be
 * (usage, errors; a whole answer is read by openai-answer.ts). Faster than translating through the
 * framework's message types.
 */
import { ProviderError } from '../../errors.js';
import { parseRetryAfter } from '../../providers/shared/provider-error.js';
import { upstreamAgent } from '../../providers/shared/upstream-agent.js';
import type { ProviderTarget } from '../../providers/types.js';
import { readAnswer, type WholeAnswer } from '../formats/openai-answer.js';
import type { AttemptAbort } from './attempt-abort.js';
import { dispatchUpstream } from './upstream-dispatch.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

export function classifyTransportError(err: unknown): ProviderError | unknown {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'AbortError' || e?.code === 'UND_ERR_ABORTED') return err;
  const code = e?.code ?? e?.cause?.code;
  if (code && CONNECTION_CODES.has(code)) return new ProviderError(`connection failed (${code})`, { kind: 'connection', cause: err });
  return err;
}

/** The message of an upstream error body (OpenAI, Anthropic, Google shapes, or text). */
export function upstreamErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    if (typeof body.error === 'string') return body.error;
    if (body.error?.message) return body.error.message;
    if (body.message) return body.message;
  } catch {
    // not JSON
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.slice(0, 300) || 'no error message';
}

/** `${baseUrl}/chat/completions` split into origin and path, once per base URL. */
const endpoints = new Map<string, { origin: string; path: string }>();
function chatEndpoint(baseUrl: string): { origin: string; path: string } {
  let e = endpoints.get(baseUrl);
  if (!e) {
    const url = new URL(`${baseUrl}/chat/completions`);
    e = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (endpoints.size >= 1000) endpoints.clear();
    endpoints.set(baseUrl, e);
  }
  return e;
}

export interface PassthroughRequest {
  target: ProviderTarget;
  upstreamModel: string;
  body: Record<string, unknown>;
  stream: boolean;
  /** Aborts the upstream request (and the answer's body while it is read). */
  abort: AttemptAbort;
}

export type PassthroughOpened =
  | { kind: 'json'; answer: WholeAnswer }
  | { kind: 'stream'; iterator: AsyncIterator<Buffer>; first: Buffer | null };

/** The error an upstream's 4xx/5xx answer stands for (Retry-After read as for every provider). */
function httpError(status: number, text: string, headers: unknown): ProviderError {
  return new ProviderError(upstreamErrorMessage(text), { kind: 'http', status, retryAfter: parseRetryAfter(headers) });
}

export async function openOpenAIPassthrough(p: PassthroughRequest): Promise<PassthroughOpened> {
  if (!p.target.baseUrl) throw new ProviderError('the provider has no base URL', { kind: 'protocol' });
  const payload: Record<string, unknown> = { ...p.body, model: p.upstreamModel };
  if (p.stream) payload.stream_options = { ...((p.body.stream_options as object | null) ?? {}), include_usage: true };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: p.stream ? 'text/event-stream' : 'application/json' };
  const key = p.target.credential.api_key;
  if (key) headers.authorization = `Bearer ${key}`;
  const { origin, path } = chatEndpoint(p.target.baseUrl);
  let answer;
  try {
    answer = await dispatchUpstream(upstreamAgent, { origin, path, headers, body: JSON.stringify(payload) }, p.abort, p.stream);
  } catch (err) {
    throw classifyTransportError(err);
  }
  if (answer.status >= 400) throw httpError(answer.status, answer.text ?? '', answer.errorHeaders);
  if (!answer.chunks) {
    try {
      return { kind: 'json', answer: readAnswer(answer.text ?? '') };
    } catch (err) {
      throw new ProviderError(`unreadable answer: ${(err as Error).message}`, { kind: 'protocol', cause: err });
    }
  }
  try {
    const first = await answer.chunks.next();
    return { kind: 'stream', iterator: answer.chunks, first: first.done ? null : first.value };
  } catch (err) {
    const classified = classifyTransportError(err);
    if (classified instanceof ProviderError) throw classified;
    if (p.abort.aborted || (err as { name?: string })?.name === 'AbortError') throw err;
    throw new ProviderError(`unreadable answer: ${(err as Error)?.message ?? err}`, { kind: 'protocol', cause: err });
  }
}
