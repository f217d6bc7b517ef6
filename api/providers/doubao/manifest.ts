import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const doubaoManifest: ProviderManifest = {
  id: 'doubao',
  displayName: 'Doubao (Volcengine Ark)',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://ark.cn-beijing.volces.com/api/v3',
  env: { apiKey: 'DOUBAO_API_KEY', baseUrl: 'DOUBAO_BASE_URL' },
  capabilities: ['chat', 'embedding', 'image'],
  modelPatterns: [/^doubao-/],
  testModel: 'doubao-seed-1-6-250615',
};
