import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const deepseekManifest: ProviderManifest = {
  id: 'deepseek',
  displayName: 'DeepSeek',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://api.deepseek.com/v1',
  env: { apiKey: 'DEEPSEEK_API_KEY', baseUrl: 'DEEPSEEK_BASE_URL' },
  capabilities: ['chat'],
  modelPatterns: [/^deepseek-/],
  testModel: 'deepseek-chat',
};
