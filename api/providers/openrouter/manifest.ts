import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const openrouterManifest: ProviderManifest = {
  id: 'openrouter',
  displayName: 'OpenRouter',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  env: { apiKey: 'OPEN_ROUTER_API_KEY', baseUrl: 'OPEN_ROUTER_BASE_URL' },
  capabilities: ['chat'],
  // OpenRouter names models `vendor/model` (`openrouter/anthropic/claude-3.5-sonnet` pins it).
  modelPatterns: [/^[\w.-]+\/[\w.:-]+$/],
  testModel: 'openai/gpt-4o-mini',
};
