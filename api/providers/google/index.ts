import { createAigneChatAdapter } from '../shared/aigne-chat-adapter.js';
import { createAigneImageAdapter } from '../shared/aigne-image-adapter.js';
import { createAigneVideoAdapter } from '../shared/aigne-video-adapter.js';
import { intercept } from '../shared/intercept.js';
import { toProviderError } from '../shared/provider-error.js';
import { requireApiKey, secretsOf } from '../shared/target.js';
import type { ProviderAdapter, ProviderModule } from '../types.js';
import { createGeminiClient, geminiClientOptions, interceptGeminiModels } from './gemini-client.js';
import { googleManifest } from './manifest.js';

/** Inline data above this size goes through the Files API (GeminiChatModel's own threshold). */
const GEMINI_UPLOAD_THRESHOLD_BYTES = 20 * 1024 * 1024;

/** Gemini reports no token usage for embeddings: estimated at 4 characters a token. */
export function estimateGeminiEmbeddingTokens(input: string[]): number {
  return input.reduce((n, text) => n + Math.ceil(text.length / 4), 0);
}

const embed: NonNullable<ProviderAdapter['embed']> = async (req, target, call) => {
  const signal = call.timeoutMs ? AbortSignal.any([call.signal, AbortSignal.timeout(call.timeoutMs)]) : call.signal;
  try {
    const client = await createGeminiClient(target, signal);
    const res = await client.models.embedContent({
      model: req.model,
      contents: req.input,
      config: req.dimensions ? { outputDimensionality: req.dimensions } : {},
    });
    return {
      embeddings: (res.embeddings ?? []).map((e) => e.values ?? []),
      usage: { inputTokens: estimateGeminiEmbeddingTokens(req.input), outputTokens: 0 },
    };
  } catch (err) {
    throw toProviderError(err, { signal, secrets: secretsOf(target), provider: googleManifest.displayName });
  }
};

export const googleProvider: ProviderModule = {
  manifest: googleManifest,
  adapter: {
    chat: createAigneChatAdapter({
      manifest: googleManifest,
      createModel: async ({ req, target, signal }) => {
        const { GeminiChatModel } = await import('@aigne/gemini');
        const model = new GeminiChatModel({
          apiKey: requireApiKey(target, googleManifest),
          model: req.model,
          clientOptions: geminiClientOptions(target),
          retryOnError: false,
        });
        const config: Record<string, unknown> = {};
        if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
        if (req.stop?.length) config.stopSequences = req.stop;
        interceptGeminiModels(model.googleClient, signal, config);
        // The class writes every inline file to a temp file it never removes, only to learn whether it
        // exceeds the upload threshold. Below it, the part is sent inline without touching the disk.
        intercept(model, 'buildVideoContentParts', (build) => async (item: { data?: string }) =>
          typeof item.data === 'string' && item.data.length * 0.75 > GEMINI_UPLOAD_THRESHOLD_BYTES ? build(item) : undefined,
        );
        return model;
      },
    }),
    embed,
    image: createAigneImageAdapter({
      manifest: googleManifest,
      createModel: async ({ req, target, signal }) => {
        const { GeminiImageModel } = await import('@aigne/gemini');
        const model = new GeminiImageModel({ apiKey: requireApiKey(target, googleManifest), model: req.model });
        // The class builds its client from the API key alone: hand it one bound to the target's URL and signal.
        (model as unknown as { _client: unknown })._client = await createGeminiClient(target, signal);
        return model;
      },
      modelOptions: () => ({}),
    }),
    video: createAigneVideoAdapter({
      manifest: googleManifest,
      createModel: async ({ req, target, signal }) => {
        const { GeminiVideoModel } = await import('@aigne/gemini');
        const model = new GeminiVideoModel({ apiKey: requireApiKey(target, googleManifest), model: req.model, pollingInterval: 5_000 });
        (model as unknown as { _client: unknown })._client = await createGeminiClient(target, signal);
        return model;
      },
    }),
  },
};
