import type { IncomingHttpHeaders } from 'node:http';

/** Which wire format a request was served in. */
export type FakeProtocol = 'openai' | 'anthropic' | 'gemini' | 'ideogram' | 'bedrock' | 'unknown';

/** A scripted tool call, answered instead of the default behaviour. */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** Behaviour knobs, settable as defaults or per fault. */
export interface FakeBehaviour {
  /** Reply with this text instead of `Echo: <last user text>`. */
  reply?: string;
  /** Answer with this tool call whatever the request says. */
  toolCall?: FakeToolCall;
  /** Stream the reply as exactly this many word chunks (words cycled to fill them). */
  chunks?: number;
  /** Pause between streamed events (ms). */
  chunkDelayMs?: number;
  /**
   * Write each streamed event in two reads, `chunkDelayMs` (at least 1) apart, cut inside its first
   * multi-byte UTF-8 character (or at its middle when it has none).
   */
  cutEvents?: boolean;
  /** Pause before the response headers (ms). */
  delayMs?: number;
  /**
   * Report no usage on OpenAI chat, as some OpenAI-compatible servers do: no `usage` in a whole answer,
   * `stream_options.include_usage` ignored in a stream.
   */
  noUsage?: boolean;
}

export interface FakeDefaults extends FakeBehaviour {
  /** Embedding size when the request does not give one (OpenAI 1536, Gemini 768 otherwise). */
  embeddingDimensions?: number;
  /**
   * Answer embeddings as float arrays whatever `encoding_format` asks, as several OpenAI-compatible
   * servers do (vLLM, LM Studio, llama.cpp builds, older Ollama). Default: honour it.
   */
  ignoreEncodingFormat?: boolean;
  /** When set, any other credential is answered 401 in the provider's error shape. */
  acceptKeys?: string[];
  /** Record requests (default true) and keep at most `recordLimit` of them (default 1000). */
  record?: boolean;
  recordLimit?: number;
}

/**
 * A scripted fault (or behaviour override), consumed by the next matching requests.
 *
 * - `status` alone: the request is answered with that status and an error body in the provider's
 *   shape (or `body`). With `afterChunks` on a streamed request: a 200 stream that sends
 *   `afterChunks` events, then the provider's in-stream error event for that status.
 * - `reset: 'before-headers'`: the socket is reset before any byte is sent.
 * - `reset: 'mid-stream'`: the headers and `afterChunks` events (default 1) are sent, then the
 *   socket is reset (a non-streamed response is cut in the middle of its body).
 * - `delayMs`: wait before answering (combines with the others).
 */
export interface FakeFault extends FakeBehaviour {
  status?: number;
  /** Error body: an object is sent as JSON, a string as is (text/html when it starts with `<`). */
  body?: unknown;
  headers?: Record<string, string>;
  reset?: 'before-headers' | 'mid-stream';
  afterChunks?: number;
  match?: {
    /** The credential the request carried (Bearer token, x-api-key, x-goog-api-key, api-key, AWS key id). */
    apiKey?: string;
    /** A substring of the request path, e.g. `chat/completions`, `:streamGenerateContent`. */
    path?: string;
    /** The model the request names (body `model`, or the model in a Gemini/Bedrock path). */
    model?: string;
    protocol?: FakeProtocol;
  };
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
}

export interface RecordedRequest {
  id: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  /** The credential extracted from the headers (see FakeFault.match.apiKey). */
  apiKey?: string;
  protocol: FakeProtocol;
  model?: string;
  /** Parsed JSON body, the raw text for other bodies, undefined when empty. */
  body: unknown;
  receivedAt: number;
  /** Status sent, once headers are out. */
  status?: number;
  /** True once the response was fully written. */
  completed: boolean;
  /** True when the client closed the connection before the response was complete. */
  aborted: boolean;
  /** True when the fake reset the socket on purpose (fault). */
  reset: boolean;
}

export interface StartFakeUpstreamOptions {
  port?: number;
  host?: string;
  defaults?: FakeDefaults;
}

export interface FakeUpstream {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4010`. */
  url: string;
  port: number;
  host: string;
  /** Live list of recorded requests (oldest first). */
  requests: RecordedRequest[];
  /** Provider requests open now. */
  readonly open: number;
  /** The most provider requests open at once since the start or the last reset. */
  readonly maxOpen: number;
  enqueue(...faults: FakeFault[]): void;
  setDefaults(defaults: FakeDefaults): void;
  /** Forget faults, recorded requests and defaults (back to the start options). */
  reset(): void;
  /** Resolve with the first recorded request (past or future) matching `predicate`. */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}
