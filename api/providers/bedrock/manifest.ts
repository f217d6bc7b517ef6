import type { ProviderManifest } from '../types.js';

export const bedrockManifest: ProviderManifest = {
  id: 'bedrock',
  displayName: 'Amazon Bedrock',
  credentialType: 'access_key_pair',
  credentialFields: [
    { key: 'access_key_id', label: 'Access key ID', secret: false, required: true },
    { key: 'secret_access_key', label: 'Secret access key', secret: true, required: true },
  ],
  // The endpoint follows from the region; a base URL overrides it (VPC endpoints, proxies).
  env: { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY', region: 'AWS_REGION' },
  capabilities: ['chat'],
  modelPatterns: [/^((us|eu|apac|global)\.)?(amazon|anthropic|meta|mistral|cohere|ai21|deepseek|writer|qwen|openai)\.[\w.-]+(:\d+)?$/],
  testModel: 'us.amazon.nova-lite-v1:0',
};
