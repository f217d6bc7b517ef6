import { API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const openaiManifest: ProviderManifest = {
  id: 'openai',
  displayName: 'OpenAI',
  credentialType: 'api_key',
  credentialFields: [API_KEY_FIELD],
  defaultBaseUrl: 'https://api.openai.com/v1',
  env: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
  capabilities: ['chat', 'embedding', 'image', 'audio', 'video'],
  modelPatterns: [/^gpt-/, /^chatgpt-/, /^o[1-9](-|$)/, /^text-embedding-/, /^dall-e-/, /^gpt-image-/, /^whisper-/, /^tts-/, /^sora-/],
  testModel: 'gpt-4o-mini',
};
