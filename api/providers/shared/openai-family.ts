/**
 * Providers that speak the OpenAI wire format (OpenAI, DeepSeek, xAI, OpenRouter, Ollama, Doubao,
 * Poe, any OpenAI-compatible server): OpenAI chat requests relayed as they are, translated chat
 * through the @aigne/<provider> class, embeddings through the `openai` client, images through
 * OpenAIImageModel.
 */
import type { OpenAIChatModel, OpenAIChatModelOptions } from '@aigne/openai';
import OpenAI from 'openai';
import { ProviderError } from '../../errors.js';
import { decodeFloat32Base64 } from '../../lib/float32-base64.js';
import type { ProviderAdapter, ProviderManifest } from '../types.js';
import { bearerHeaders, createWireEndpoint } from './wire-endpoint.js';
import { createAigneChatAdapter } from './aigne-chat-adapter.js';
import { createAigneImageAdapter } from './aigne-image-adapter.js';
import { openAIClientOptions, patchOpenAIClient } from './openai-client.js';
import { toProviderError } from './provider-error.js';
import { sdkFetch } from './sdk-fetch.js';
import { baseUrlOf, requireApiKey, secretsOf } from './target.js';

export type OpenAIChatModelClass = new (options: OpenAIChatModelOptions) => OpenAIChatModel;

export interface OpenAIFamilyOptions {
  manifest: ProviderManifest;
  /**
   * Loads the @aigne class for this provider (DeepSeekChatModel, XAIChatModel …); default
   * OpenAIChatModel. Model packages are loaded on a provider's first call, not at start.
   */
  chatModel?: () => Promise<OpenAIChatModelClass>;
  /** Key sent when the credential has none (local servers such as Ollama or vLLM). */
  placeholderApiKey?: string;
  /** Body field for the output cap. OpenAI's own API wants `max_completion_tokens`; the others `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/** The wires every OpenAI-family provider speaks. */
export function createOpenAIFamilyWires(o: OpenAIFamilyOptions): NonNullable<ProviderAdapter['wires']> {
  return { 'openai-chat': createWireEndpoint({ manifest: o.manifest, path: '/chat/completions', headers: bearerHeaders(o.manifest, o.placeholderApiKey) }) };
}

export function createOpenAIFamilyChat(o: OpenAIFamilyOptions): NonNullable<ProviderAdapter['chat']> {
  const loadClass = o.chatModel ?? (async () => (await import('@aigne/openai')).OpenAIChatModel);
  const maxTokensField = o.maxTokensField ?? 'max_tokens';
  return createAigneChatAdapter({
    manifest: o.manifest,
    jsonObject: 'native',
    passImageUrls: true,
    createModel: async ({ req, target, signal }) => {
      const ModelClass = await loadClass();
      const model = new ModelClass({
        apiKey: requireApiKey(target, o.manifest, o.placeholderApiKey),
        baseURL: baseUrlOf(target, o.manifest),
        model: req.model,
        clientOptions: { maxRetries: 0, organization: null, project: null, webhookSecret: null, fetch: sdkFetch },
        retryOnError: false,
      });
      const chatBody: Record<string, unknown> = {};
      if (req.maxTokens !== undefined) chatBody[maxTokensField] = req.maxTokens;
      if (req.stop?.length) chatBody.stop = req.stop;
      if (req.responseFormat?.type === 'json_object') chatBody.response_format = { type: 'json_object' };
      patchOpenAIClient(model.client, { signal, chatBody });
      return model;
    },
  });
}

/** An embedding as float array or base64 of float32, whichever the upstream sent. */
function vectorOf(embedding: unknown, provider: string): number[] {
  if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number')) return embedding;
  const decoded = typeof embedding === 'string' ? decodeFloat32Base64(embedding) : undefined;
  if (decoded) return decoded;
  throw new ProviderError(`${provider} answered an embedding that is neither a float array nor base64 float32`, { kind: 'protocol' });
}

export function createOpenAIFamilyEmbed(o: OpenAIFamilyOptions): NonNullable<ProviderAdapter['embed']> {
  return async (req, target, call) => {
    const signal = call.timeoutMs ? AbortSignal.any([call.signal, AbortSignal.timeout(call.timeoutMs)]) : call.signal;
    try {
      const client = new OpenAI(openAIClientOptions(requireApiKey(target, o.manifest, o.placeholderApiKey), baseUrlOf(target, o.manifest)));
      patchOpenAIClient(client, { signal });
      // An explicit encoding makes the SDK hand back the upstream's answer as is: servers that ignore
      // the parameter answer float arrays, and the SDK would decode those as base64.
      const res = await client.embeddings.create({
        model: req.model,
        input: req.input,
        encoding_format: req.encodingFormat ?? 'float',
        ...(req.dimensions ? { dimensions: req.dimensions } : {}),
      });
      const data = [...res.data].sort((a, b) => a.index - b.index);
      return {
        embeddings: data.map((d) => vectorOf(d.embedding as unknown, o.manifest.displayName)),
        usage: { inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: 0 },
      };
    } catch (err) {
      throw toProviderError(err, { signal, secrets: secretsOf(target), provider: o.manifest.displayName });
    }
  };
}

export function createOpenAIFamilyImage(o: OpenAIFamilyOptions): NonNullable<ProviderAdapter['image']> {
  return createAigneImageAdapter({
    manifest: o.manifest,
    createModel: async ({ req, target, signal }) => {
      const { OpenAIImageModel } = await import('@aigne/openai');
      const model = new OpenAIImageModel({
        apiKey: requireApiKey(target, o.manifest, o.placeholderApiKey),
        baseURL: baseUrlOf(target, o.manifest),
        model: req.model,
        clientOptions: { maxRetries: 0, organization: null, project: null, webhookSecret: null, fetch: sdkFetch },
      });
      const imageBody: Record<string, unknown> = {};
      // gpt-image models always answer base64 and refuse the parameter.
      if (req.responseFormat && !req.model.startsWith('gpt-image')) imageBody.response_format = req.responseFormat;
      if (req.n !== undefined) imageBody.n = req.n;
      patchOpenAIClient(model.client, { signal, imageBody });
      return model;
    },
  });
}
