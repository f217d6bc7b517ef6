import { OllamaChatModel } from '@aigne/ollama';
import { createOpenAIFamilyChat, createOpenAIFamilyEmbed } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { ollamaManifest } from './manifest.js';

const family = { manifest: ollamaManifest, chatModel: OllamaChatModel, placeholderApiKey: 'ollama' };

export const ollamaProvider: ProviderModule = {
  manifest: ollamaManifest,
  adapter: { chat: createOpenAIFamilyChat(family), embed: createOpenAIFamilyEmbed(family) },
};
