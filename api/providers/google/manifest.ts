import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const googleManifest: ProviderManifest = {
  id: 'google',
  displayName: 'Google Gemini',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  env: { apiKey: 'GEMINI_API_KEY', baseUrl: 'GEMINI_BASE_URL' },
  capabilities: ['chat', 'embedding', 'image', 'video'],
  modelPatterns: [/^veo-/, /^gemini-/, /^text-embedding-00\d/, /^imagen-/],
  testModel: 'gemini-2.0-flash',
};
