import { createOpenAIFamilyChat } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { deepseekManifest } from './manifest.js';

export const deepseekProvider: ProviderModule = {
  manifest: deepseekManifest,
  adapter: { chat: createOpenAIFamilyChat({ manifest: deepseekManifest, chatModel: async () => (await import('@aigne/deepseek')).DeepSeekChatModel }) },
};
