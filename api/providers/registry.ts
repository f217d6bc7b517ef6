/**
 * THE list of providers. Adding one: a folder exporting its ProviderModule, and its line here.
 * The order is the default rank when several providers serve a bare model name.
 */
import { anthropicProvider } from './anthropic/index.js';
import { bedrockProvider } from './bedrock/index.js';
import { deepseekProvider } from './deepseek/index.js';
import { doubaoProvider } from './doubao/index.js';
import { googleProvider } from './google/index.js';
import { ideogramProvider } from './ideogram/index.js';
import { ollamaProvider } from './ollama/index.js';
import { openaiCompatibleProvider } from './openai-compatible/index.js';
import { openaiProvider } from './openai/index.js';
import { openrouterProvider } from './openrouter/index.js';
import { poeProvider } from './poe/index.js';
import type { ProviderManifest, ProviderModule } from './types.js';
import { xaiProvider } from './xai/index.js';

export const providerRegistry: readonly ProviderModule[] = Object.freeze([
  openaiProvider,
  anthropicProvider,
  googleProvider,
  deepseekProvider,
  xaiProvider,
  openrouterProvider,
  ollamaProvider,
  bedrockProvider,
  doubaoProvider,
  poeProvider,
  ideogramProvider,
  openaiCompatibleProvider,
]);

const byId = new Map(providerRegistry.map((p) => [p.manifest.id, p]));

export function getProviderModule(id: string): ProviderModule | undefined {
  return byId.get(id);
}

export function listProviderManifests(): ProviderManifest[] {
  return providerRegistry.map((p) => p.manifest);
}

/** Providers whose known model names match a bare model name (no `provider/` prefix), in registry order. */
export function findProvidersForModel(bareModelName: string): ProviderManifest[] {
  return providerRegistry.filter((p) => p.manifest.modelPatterns.some((re) => re.test(bareModelName))).map((p) => p.manifest);
}
