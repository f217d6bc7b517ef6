import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const xaiManifest: ProviderManifest = {
  id: 'xai',
  displayName: 'xAI',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://api.x.ai/v1',
  env: { apiKey: 'XAI_API_KEY', baseUrl: 'XAI_BASE_URL' },
  capabilities: ['chat'],
  modelPatterns: [/^grok-/],
  testModel: 'grok-3-mini',
};
