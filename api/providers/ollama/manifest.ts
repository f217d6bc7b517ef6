import { OPTIONAL_API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

export const ollamaManifest: ProviderManifest = {
  id: 'ollama',
  displayName: 'Ollama',
  credentialType: 'api_key',
  credentialFields: [OPTIONAL_API_KEY_FIELD],
  defaultBaseUrl: 'http://localhost:11434/v1',
  credentialOptional: true,
  env: { apiKey: 'OLLAMA_API_KEY', baseUrl: 'OLLAMA_BASE_URL' },
  capabilities: ['chat', 'embedding'],
  modelPatterns: [/^(llama|qwen|mistral|mixtral|gemma|phi|codellama|llava|nomic-embed|mxbai-embed)[\w.-]*(:[\w.-]+)?$/],
  testModel: 'llama3.2',
};
