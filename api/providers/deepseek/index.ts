import { DeepSeekChatModel } from '@aigne/deepseek';
import { createOpenAIFamilyChat } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { deepseekManifest } from './manifest.js';

export const deepseekProvider: ProviderModule = {
  manifest: deepseekManifest,
  adapter: { chat: createOpenAIFamilyChat({ manifest: deepseekManifest, chatModel: DeepSeekChatModel }) },
};
