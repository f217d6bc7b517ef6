import { createOpenAIFamilyChat, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { deepseekManifest } from './manifest.js';

const family = { manifest: deepseekManifest, chatModel: async () => (await import('@aigne/deepseek')).DeepSeekChatModel };

export const deepseekProvider: ProviderModule = {
  manifest: deepseekManifest,
  adapter: {
    chat: createOpenAIFamilyChat(family),
    wires: createOpenAIFamilyWires(family),
    // DeepSeekChatModel's flags: JSON schema output through a prompt, `type` added to empty tool parameters.
    openaiChatDialect: { nativeStructuredOutputs: false, toolsEmptyParameters: false },
  },
};
