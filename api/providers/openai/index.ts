import { createOpenAIFamilyChat, createOpenAIFamilyEmbed, createOpenAIFamilyImage, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { openaiManifest } from './manifest.js';

const family = { manifest: openaiManifest, chatModel: async () => (await import('@aigne/openai')).OpenAIChatModel, maxTokensField: 'max_completion_tokens' as const };

export const openaiProvider: ProviderModule = {
  manifest: openaiManifest,
  adapter: {
    chat: createOpenAIFamilyChat(family),
    embed: createOpenAIFamilyEmbed(family),
    image: createOpenAIFamilyImage(family),
    wires: createOpenAIFamilyWires(family),
  },
};
