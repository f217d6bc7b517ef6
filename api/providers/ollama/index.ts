import { createOpenAIFamilyChat, createOpenAIFamilyEmbed, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { ollamaManifest } from './manifest.js';

const family = { manifest: ollamaManifest, chatModel: async () => (await import('@aigne/ollama')).OllamaChatModel, placeholderApiKey: 'ollama' };

export const ollamaProvider: ProviderModule = {
  manifest: ollamaManifest,
  adapter: { chat: createOpenAIFamilyChat(family), embed: createOpenAIFamilyEmbed(family), wires: createOpenAIFamilyWires(family) },
};
