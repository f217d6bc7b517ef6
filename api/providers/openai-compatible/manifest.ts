import { OPTIONAL_API_KEY_FIELD } from '../shared/credential-fields.js';
import type { ProviderManifest } from '../types.js';

/** Any server with an OpenAI Chat Completions API: vLLM, LM Studio, llama.cpp, LocalAI … */
export const openaiCompatibleManifest: ProviderManifest = {
  id: 'openai-compatible',
  displayName: 'OpenAI-compatible server',
  credentialType: 'api_key',
  credentialFields: [OPTIONAL_API_KEY_FIELD],
  requiresBaseUrl: true,
  credentialOptional: true,
  capabilities: ['chat', 'embedding', 'audio'],
  modelPatterns: [],
};
