/**
 * A provider's same-wire endpoint: POSTs a request body, as the client's wire format has it, to
 * `<base URL><path>` on the shared upstream pool, and hands back the answer unparsed. Error answers
 * and transport failures become ProviderErrors, as every adapter's do.
 */
import { ProviderError } from '../../errors.js';
import type { ProviderManifest, ProviderTarget, WireAnswer, WireEndpoint, WireRequest } from '../types.js';
import { parseRetryAfter, toProviderError } from './provider-error.js';
import { baseUrlOf, secretsOf } from './target.js';
import { upstreamAgent } from './upstream-agent.js';
import { dispatchUpstream } from './upstream-dispatch.js';

export interface WireEndpointOptions {
  manifest: ProviderManifest;
  /** Appended to the base URL, e.g. `/chat/completions`. */
  path: string;
  /** The credential's headers, and those of the client the wire passes on (throws a 401-kind ProviderError when there is no credential). */
  headers(target: ProviderTarget, req: WireRequest): Record<string, string>;
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

/** `base + path` split into origin and path, once per base URL. */
const endpoints = new Map<string, { origin: string; path: string }>();
function endpointOf(url: string): { origin: string; path: string } {
  let e = endpoints.get(url);
  if (!e) {
    const parsed = new URL(url);
    e = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (endpoints.size >= 1000) endpoints.clear();
    endpoints.set(url, e);
  }
  return e;
}

export function createWireEndpoint(o: WireEndpointOptions): WireEndpoint {
  return async (req, target): Promise<WireAnswer> => {
    const { origin, path } = endpointOf(`${baseUrlOf(target, o.manifest)}${o.path}`);
    const headers = { 'content-type': 'application/json', accept: req.stream ? 'text/event-stream' : 'application/json', ...o.headers(target, req) };
    const secrets = secretsOf(target);
    const failed = (err: unknown) => toProviderError(err, { signal: req.abort.aborted ? req.abort.signal : undefined, secrets, provider: o.manifest.displayName });
    let answer;
    try {
      answer = await dispatchUpstream(upstreamAgent, { origin, path, headers, body: JSON.stringify(req.body) }, req.abort, req.stream);
    } catch (err) {
      throw failed(err);
    }
    if (answer.status >= 400) {
      // The gateway names the provider and the status, and redacts, when it reports the failure.
      throw new ProviderError(upstreamErrorMessage(answer.text ?? ''), {
        kind: 'http',
        status: answer.status,
        retryAfter: parseRetryAfter(answer.errorHeaders),
      });
    }
    if (!answer.chunks) return { kind: 'json', text: answer.text ?? '' };
    const chunks = answer.chunks;
    try {
      const first = await chunks.next();
      // A stream cut off later fails as the provider's error too (kind, status, its name in the message).
      const rest: AsyncIterator<Buffer> = {
        next: () => chunks.next().catch((err: unknown) => Promise.reject(failed(err))),
        return: () => chunks.return?.() ?? Promise.resolve({ done: true, value: undefined }),
      };
      return { kind: 'stream', first: first.done ? null : first.value, rest };
    } catch (err) {
      throw failed(err);
    }
  };
}

/** `Authorization: Bearer <key>` (or the provider's placeholder key), as the OpenAI family takes it. */
export function bearerHeaders(manifest: ProviderManifest, placeholder?: string) {
  return (target: ProviderTarget): Record<string, string> => {
    const key = target.credential.api_key || target.credential.apiKey || placeholder;
    if (key) return { authorization: `Bearer ${key}` };
    if (manifest.credentialOptional) return {};
    throw new ProviderError(`${manifest.displayName}: no API key is configured`, { kind: 'http', status: 401 });
  };
}
