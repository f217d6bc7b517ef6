import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const anthropicManifest: ProviderManifest = {
  id: 'anthropic',
  displayName: 'Anthropic',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://api.anthropic.com',
  env: { apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' },
  capabilities: ['chat'],
  modelPatterns: [/^claude-/],
  testModel: 'claude-3-5-haiku-latest',
};
