import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const ideogramManifest: ProviderManifest = {
  id: 'ideogram',
  displayName: 'Ideogram',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://api.ideogram.ai',
  env: { apiKey: 'IDEOGRAM_API_KEY', baseUrl: 'IDEOGRAM_BASE_URL' },
  capabilities: ['image'],
  modelPatterns: [/^ideogram-/],
};
