import { createOpenAIFamilyChat, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { openrouterManifest } from './manifest.js';

const family = { manifest: openrouterManifest, chatModel: async () => (await import('@aigne/open-router')).OpenRouterChatModel };

export const openrouterProvider: ProviderModule = {
  manifest: openrouterManifest,
  adapter: { chat: createOpenAIFamilyChat(family), wires: createOpenAIFamilyWires(family) },
};
