import { createAigneChatAdapter } from '../shared/aigne-chat-adapter.js';
import { intercept } from '../shared/intercept.js';
import { sdkFetch } from '../shared/sdk-fetch.js';
import { baseUrlOf, requireApiKey } from '../shared/target.js';
import type { ProviderModule } from '../types.js';
import { anthropicManifest } from './manifest.js';
import { anthropicWires } from './wires.js';

export const anthropicProvider: ProviderModule = {
  manifest: anthropicManifest,
  adapter: {
    chat: createAigneChatAdapter({
      manifest: anthropicManifest,
      passImageUrls: true,
      createModel: async ({ req, target, signal }) => {
        const { AnthropicChatModel } = await import('@aigne/anthropic');
        const model = new AnthropicChatModel({
          apiKey: requireApiKey(target, anthropicManifest),
          model: req.model,
          clientOptions: { baseURL: baseUrlOf(target, anthropicManifest), maxRetries: 0, authToken: null, fetch: sdkFetch },
          retryOnError: false,
        });
        const extra: Record<string, unknown> = {};
        if (req.maxTokens !== undefined) extra.max_tokens = req.maxTokens;
        if (req.stop?.length) extra.stop_sequences = req.stop;
        intercept(model.client.messages, 'stream', (stream) => (body: object, options?: object) => stream({ ...body, ...extra }, { ...options, signal }));
        return model;
      },
    }),
    wires: anthropicWires,
  },
};
