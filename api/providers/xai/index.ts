import { createOpenAIFamilyChat, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { xaiManifest } from './manifest.js';

const family = { manifest: xaiManifest, chatModel: async () => (await import('@aigne/xai')).XAIChatModel };

export const xaiProvider: ProviderModule = {
  manifest: xaiManifest,
  adapter: { chat: createOpenAIFamilyChat(family), wires: createOpenAIFamilyWires(family), openaiChatDialect: { toolStreaming: false } },
};
