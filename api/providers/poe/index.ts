import { createOpenAIFamilyChat, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { poeManifest } from './manifest.js';

const family = { manifest: poeManifest, chatModel: async () => (await import('@aigne/poe')).PoeChatModel };

export const poeProvider: ProviderModule = {
  manifest: poeManifest,
  adapter: { chat: createOpenAIFamilyChat(family), wires: createOpenAIFamilyWires(family) },
};
