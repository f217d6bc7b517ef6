import { createOpenAIFamilyChat } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { poeManifest } from './manifest.js';

export const poeProvider: ProviderModule = {
  manifest: poeManifest,
  adapter: { chat: createOpenAIFamilyChat({ manifest: poeManifest, chatModel: async () => (await import('@aigne/poe')).PoeChatModel }) },
};
