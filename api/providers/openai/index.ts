import { createOpenAIFamilyChat, createOpenAIFamilyEmbed, createOpenAIFamilyImage, createOpenAIFamilyWires } from '../shared/openai-family.js';
import { createAigneVideoAdapter, fetchWithSignal } from '../shared/aigne-video-adapter.js';
import { createOpenAIFamilyAudio } from '../shared/openai-audio.js';
import { baseUrlOf, requireApiKey } from '../shared/target.js';
import { bearerHeaders, createWireEndpoint } from '../shared/wire-endpoint.js';
import type { ProviderModule } from '../types.js';
import { openaiManifest } from './manifest.js';

/** How often a video job is asked about (Sora takes minutes; the fake upstream answers on the first ask). */
const VIDEO_POLL_MS = 2_000;

const family = { manifest: openaiManifest, chatModel: async () => (await import('@aigne/openai')).OpenAIChatModel, maxTokensField: 'max_completion_tokens' as const };

export const openaiProvider: ProviderModule = {
  manifest: openaiManifest,
  adapter: {
    chat: createOpenAIFamilyChat(family),
    embed: createOpenAIFamilyEmbed(family),
    image: createOpenAIFamilyImage(family),
    ...createOpenAIFamilyAudio(family),
    video: createAigneVideoAdapter({
      manifest: openaiManifest,
      createModel: async ({ req, target, signal }) => {
        const { OpenAIVideoModel } = await import('@aigne/openai');
        return new OpenAIVideoModel({
          apiKey: requireApiKey(target, openaiManifest),
          baseURL: baseUrlOf(target, openaiManifest),
          model: req.model,
          clientOptions: { maxRetries: 0, organization: null, project: null, webhookSecret: null, fetch: fetchWithSignal(signal) },
          pollingInterval: VIDEO_POLL_MS,
        });
      },
    }),
    openaiChatDialect: { maxTokensField: family.maxTokensField },
    wires: {
      ...createOpenAIFamilyWires(family),
      // The Responses API is OpenAI's own: other OpenAI-wire servers get it translated.
      'openai-responses': createWireEndpoint({ manifest: openaiManifest, path: '/responses', headers: bearerHeaders(openaiManifest) }),
    },
  },
};
