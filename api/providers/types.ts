/**
 * The provider contract. A provider is one folder under api/providers/<id>/ exporting a
 * ProviderModule: data (the manifest) plus an adapter of small functions. registry.ts lists them.
 */
import type { ProviderError } from '../errors.js';
import type { AttemptAbort } from '../lib/attempt-abort.js';
import type { Capability, CredentialField, CredentialType } from '../wire/providers.js';

export type { Capability, CredentialField, CredentialType };



export interface ProviderManifest {
  /** Registry id, also the `provider/` prefix of model names: `openai`, `anthropic`, `google` … */
  id: string;
  displayName: string;
  credentialType: CredentialType;
  credentialFields: CredentialField[];
  /** What the provider's official SDK takes as base URL (API.md §5). */
  defaultBaseUrl?: string;
  /** True when no default exists and the admin must give one (openai-compatible, ollama …). */
  requiresBaseUrl?: boolean;
  /** True when calls may go without any credential (e.g. a local Ollama). */
  credentialOptional?: boolean;
  /** Environment fallbacks used when the provider has no stored credential. */
  env?: { apiKey?: string; baseUrl?: string; accessKeyId?: string; secretAccessKey?: string; region?: string };
  capabilities: Capability[];
  /** Bare model names this provider is known to serve (`gpt-*` → openai). */
  modelPatterns: RegExp[];
  /** A cheap model used to validate a credential with one small live call. */
  testModel?: string;
}

/** Everything an adapter needs to reach one provider with one credential. */
export interface ProviderTarget {
  baseUrl?: string;
  region?: string;
  /** Decrypted credential fields (`api_key`, or `access_key_id` + `secret_access_key` …). */
  credential: Record<string, string>;
  config?: Record<string, unknown>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** AIGNE ChatModelInput-shaped request (messages, tools, toolChoice, responseFormat, options). */
export interface ChatRequest {
  /** Upstream model name, `provider/` prefix stripped. */
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  toolChoice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  responseFormat?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; jsonSchema: { name: string; description?: string; schema: Record<string, unknown>; strict?: boolean } };
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  stop?: string[];
  parallelToolCalls?: boolean;
}

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'url'; url: string; mimeType?: string }
  | { type: 'file'; data: string; mimeType?: string };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: Record<string, unknown> | string };
  /** Provider data that must come back with the call on the next turn (e.g. Gemini's thought signature). */
  metadata?: Record<string, unknown>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'agent' | 'tool';
  content?: string | ChatContentPart[];
  toolCalls?: ChatToolCall[];
  toolCallId?: string;
  name?: string;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** The normalized stream every chat adapter yields. */
export type ChatEvent =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  | { type: 'toolCalls'; toolCalls: ChatToolCall[] }
  | { type: 'json'; json: unknown }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'model'; model: string };

export interface EmbeddingRequest {
  model: string;
  input: string[];
  dimensions?: number;
  /** The wire encoding to ask an OpenAI-family upstream for (default float); results are numbers either way. */
  encodingFormat?: 'float' | 'base64';
}
export interface EmbeddingResult {
  embeddings: number[][];
  usage: TokenUsage;
}

export interface ImageRequest {
  model: string;
  prompt: string;
  n?: number;
  size?: string;
  quality?: string;
  style?: string;
  responseFormat?: 'url' | 'b64_json';
}
export interface ImageResult {
  images: { url?: string; b64Json?: string; revisedPrompt?: string }[];
  usage: TokenUsage & { images: number };
}

/** An uploaded audio file. */
export interface AudioFile {
  data: Buffer;
  filename: string;
  mimeType: string;
}

/** Speech to text (`translate`: into English), with the client's other form fields as they are. */
export interface TranscriptionRequest {
  model: string;
  file: AudioFile;
  translate: boolean;
  /** `language`, `prompt`, `response_format`, `temperature`, `timestamp_granularities[]` … */
  fields: [name: string, value: string][];
}
/** The upstream's answer as it is (JSON or text), with the seconds it reported, if any. */
export interface TranscriptionResult {
  body: Buffer;
  contentType: string;
  seconds?: number;
  usage?: TokenUsage;
}

/** Text to speech: `{input, voice, response_format, speed, instructions}` as the client sent them. */
export interface SpeechRequest {
  model: string;
  body: Record<string, unknown>;
}
export interface SpeechResult {
  data: Buffer;
  contentType: string;
}

export interface VideoRequest {
  model: string;
  prompt: string;
  seconds?: string;
  size?: string;
  /** A first frame (base64). */
  image?: { data: string; mimeType?: string };
}
export interface VideoResult {
  videos: { data?: string; url?: string; mimeType: string }[];
  /** Seconds of video generated. */
  seconds: number;
}

export interface CallOptions {
  /** Aborting it aborts the upstream HTTP request (and the adapter throws a ProviderError of kind 'aborted'). */
  signal: AbortSignal;
  /**
   * Idle timeout: give up (ProviderError kind 'timeout') when the upstream sends nothing for this
   * long — before the first byte, and between two chunks of a stream. A signal aborted with a
   * `TimeoutError` reason (AbortSignal.timeout) is reported as 'timeout' too.
   */
  timeoutMs?: number;
  /**
   * Downloads an image URL for adapters that must send bytes (their SDK would otherwise fetch the URL
   * itself, from the hub's network); it refuses non-public addresses. Absent: such URLs are refused.
   */
  fetchImage?: (url: string) => Promise<{ data: string; mimeType?: string }>;
}

/**
 * The client-facing wire formats a provider may speak as they are (`anthropic-count-tokens`: the
 * Messages API's token count, beside its messages).
 */
export type WireFormat = 'openai-chat' | 'anthropic-messages' | 'anthropic-count-tokens' | 'openai-responses';

/** A request in a wire format the provider speaks, relayed as it is. */
export interface WireRequest {
  /** The body in that format, with the upstream's model name. */
  body: Record<string, unknown>;
  stream: boolean;
  /** Aborting it aborts the upstream request and the reading of its answer. */
  abort: AttemptAbort;
  /** The client's headers this wire passes on (`anthropic-version`, `anthropic-beta`), lower-case names. */
  headers?: Record<string, string>;
}

/**
 * The upstream's successful answer, unparsed: a whole body, or a stream whose first chunk is in
 * (the rest follow from `rest`; stopping early through `return()` aborts the request).
 */
export type WireAnswer = { kind: 'json'; text: string } | { kind: 'stream'; first: Buffer | null; rest: AsyncIterator<Buffer> };

/** Sends a wire request; an error answer or a failed connection throws a ProviderError. */
export type WireEndpoint = (req: WireRequest, target: ProviderTarget) => Promise<WireAnswer>;

/**
 * Adapters throw ProviderError (see errors.ts) for every failure so the gateway can decide on
 * `retryable` without string matching.
 */
export interface ProviderAdapter {
  chat?(req: ChatRequest, target: ProviderTarget, options: CallOptions): AsyncIterable<ChatEvent>;
  embed?(req: EmbeddingRequest, target: ProviderTarget, options: CallOptions): Promise<EmbeddingResult>;
  image?(req: ImageRequest, target: ProviderTarget, options: CallOptions): Promise<ImageResult>;
  transcribe?(req: TranscriptionRequest, target: ProviderTarget, options: CallOptions): Promise<TranscriptionResult>;
  speech?(req: SpeechRequest, target: ProviderTarget, options: CallOptions): Promise<SpeechResult>;
  video?(req: VideoRequest, target: ProviderTarget, options: CallOptions): Promise<VideoResult>;
  /** Wire formats the provider speaks: requests in them are relayed as they are (same wire). */
  wires?: Partial<Record<WireFormat, WireEndpoint>>;
  /** How the provider's chat model class writes OpenAI chat requests, where it differs from OpenAI's (with the `openai-chat` wire). */
  openaiChatDialect?: OpenAIChatDialect;
}

/**
 * What an OpenAI-wire provider's @aigne chat class does differently from OpenAIChatModel, so that a
 * request translated without the class goes up as the class would send it.
 */
export interface OpenAIChatDialect {
  /** Body field for the output cap (default `max_tokens`). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** False: JSON schema output is asked for through a prompt and JSON mode (then only the class does it). */
  nativeStructuredOutputs?: boolean;
  /** False: a tool without parameters gets `type: "object"`. */
  toolsEmptyParameters?: boolean;
  /** False: tool-call deltas are read as whole calls (then only the class reads tool calls). */
  toolStreaming?: boolean;
}

export interface ProviderModule {
  manifest: ProviderManifest;
  adapter: ProviderAdapter;
}

export type { ProviderError };
