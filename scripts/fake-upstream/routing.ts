/** Which fake provider a request is for: its route, credential, model, faults and error bodies. */
import type { IncomingMessage } from 'node:http';
import { handleAnthropicCountTokens, handleAnthropicMessages } from './anthropic.js';
import { handleBedrock, parseBedrockPath } from './bedrock.js';
import type { Exchange } from './exchange.js';
import { handleGemini, parseGeminiPath } from './gemini.js';
import { handleIdeogram } from './ideogram.js';
import { handleOpenAIChat, handleOpenAIEmbeddings, handleOpenAIImages, handleOpenAIModels } from './openai.js';
import { handleOpenAISpeech, handleOpenAITranscription, handleOpenAIVideos } from './openai-media.js';
import { handleOpenAIResponses } from './openai-responses.js';
import type { FakeFault, FakeProtocol } from './types.js';

type Handler = (ex: Exchange) => void;

interface Route {
  protocol: FakeProtocol;
  handler: Handler;
}

/** Which handler serves a path. OpenAI-family routes match on their suffix so any base path works. */
export function routeFor(method: string, path: string): Route | undefined {
  if (path === '/v1/chat/completions' || path.endsWith('/chat/completions')) return { protocol: 'openai', handler: handleOpenAIChat };
  if (path === '/v1/messages' || path.endsWith('/v1/messages')) return { protocol: 'anthropic', handler: handleAnthropicMessages };
  if (path.endsWith('/v1/messages/count_tokens')) return { protocol: 'anthropic', handler: handleAnthropicCountTokens };
  if (path.startsWith('/model/')) return { protocol: 'bedrock', handler: handleBedrock };
  if (path.includes('/models/') && path.includes(':')) return { protocol: 'gemini', handler: handleGemini };
  if (path.startsWith('/v1beta/models') || path.startsWith('/v1/models/')) return { protocol: 'gemini', handler: handleGemini };
  if (path.endsWith('/audio/transcriptions') || path.endsWith('/audio/translations')) return { protocol: 'openai', handler: (ex) => void handleOpenAITranscription(ex) };
  if (path.endsWith('/audio/speech')) return { protocol: 'openai', handler: handleOpenAISpeech };
  if (/\/videos(\/[^/]+(\/content)?)?$/.test(path)) return { protocol: 'openai', handler: (ex) => void handleOpenAIVideos(ex) };
  if (path.endsWith('/responses')) return { protocol: 'openai', handler: handleOpenAIResponses };
  if (path.endsWith('/embeddings')) return { protocol: 'openai', handler: handleOpenAIEmbeddings };
  if (path.endsWith('/images/generations')) return { protocol: 'openai', handler: handleOpenAIImages };
  if (path.includes('/ideogram-v3/')) return { protocol: 'ideogram', handler: handleIdeogram };
  if (method === 'GET' && path.endsWith('/models')) return { protocol: 'openai', handler: handleOpenAIModels };
  return undefined;
}

/** The credential a request carries, whatever the provider's convention. */
export function credentialOf(req: IncomingMessage, query: string): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    const m = /Credential=([^/,\s]+)/.exec(auth);
    if (m) return m[1];
    return auth;
  }
  const h = req.headers['x-api-key'] ?? req.headers['x-goog-api-key'] ?? req.headers['api-key'];
  if (typeof h === 'string') return h;
  if (query) {
    const m = /(?:^|&)key=([^&]+)/.exec(query);
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

export function modelOf(protocol: FakeProtocol, path: string, body: any): string | undefined {
  if (protocol === 'gemini') return parseGeminiPath(path)?.model;
  if (protocol === 'bedrock') return parseBedrockPath(path)?.model;
  return body && typeof body === 'object' && typeof body.model === 'string' ? body.model : undefined;
}

export function faultMatches(f: FakeFault, protocol: FakeProtocol, path: string, apiKey: string | undefined, model: string | undefined): boolean {
  const m = f.match;
  if (!m) return true;
  if (m.apiKey !== undefined && m.apiKey !== apiKey) return false;
  if (m.path !== undefined && !path.includes(m.path)) return false;
  if (m.model !== undefined && m.model !== model) return false;
  if (m.protocol !== undefined && m.protocol !== protocol) return false;
  return true;
}

export function invalidKeyBody(protocol: FakeProtocol): { status: number; body: unknown } {
  switch (protocol) {
    case 'anthropic':
      return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } };
    case 'gemini':
      return {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'API key not valid. Please pass a valid API key.',
            status: 'INVALID_ARGUMENT',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
          },
        },
      };
    case 'bedrock':
      return { status: 403, body: { message: 'The security token included in the request is invalid.' } };
    case 'ideogram':
      return { status: 401, body: { detail: 'Invalid API key' } };
    default:
      return {
        status: 401,
        body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      };
  }
}

export function isStreamed(protocol: FakeProtocol, path: string, query: string, body: any): boolean {
  switch (protocol) {
    case 'gemini':
      return path.endsWith(':streamGenerateContent') || query.includes('alt=sse');
    case 'bedrock':
      return path.endsWith('/converse-stream');
    default:
      return body?.stream === true;
  }
}
