import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const poeManifest: ProviderManifest = {
  id: 'poe',
  displayName: 'Poe',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://api.poe.com/v1',
  env: { apiKey: 'POE_API_KEY', baseUrl: 'POE_BASE_URL' },
  capabilities: ['chat'],
  // Poe's bot names overlap other providers' models; reach it with `poe/<bot>`.
  modelPatterns: [],
  testModel: 'GPT-4o-Mini',
};
