import { createOpenAIFamilyAudio } from '../shared/openai-audio.js';
import { createOpenAIFamilyChat, createOpenAIFamilyEmbed, createOpenAIFamilyWires } from '../shared/openai-family.js';
import type { ProviderModule } from '../types.js';
import { openaiCompatibleManifest } from './manifest.js';

const family = { manifest: openaiCompatibleManifest, placeholderApiKey: 'no-key' };

export const openaiCompatibleProvider: ProviderModule = {
  manifest: openaiCompatibleManifest,
  adapter: { chat: createOpenAIFamilyChat(family), embed: createOpenAIFamilyEmbed(family), ...createOpenAIFamilyAudio(family), wires: createOpenAIFamilyWires(family) },
};
