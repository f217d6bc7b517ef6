import { createOpenAIFamilyChat } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { xaiManifest } from './manifest.js';

export const xaiProvider: ProviderModule = {
  manifest: xaiManifest,
  adapter: { chat: createOpenAIFamilyChat({ manifest: xaiManifest, chatModel: async () => (await import('@aigne/xai')).XAIChatModel }) },
};
