import { createOpenAIFamilyChat } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { openrouterManifest } from './manifest.js';

export const openrouterProvider: ProviderModule = {
  manifest: openrouterManifest,
  adapter: { chat: createOpenAIFamilyChat({ manifest: openrouterManifest, chatModel: async () => (await import('@aigne/open-router')).OpenRouterChatModel }) },
};
