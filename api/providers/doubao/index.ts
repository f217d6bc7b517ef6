import { createAigneImageAdapter } from '../shared/aigne-image-adapter.js';
import { createOpenAIFamilyChat, createOpenAIFamilyEmbed, createOpenAIFamilyWires } from '../shared/openai-family.js';
import { baseUrlOf, requireApiKey } from '../shared/target.js';
import type { ProviderModule } from '../types.js';
import { doubaoManifest } from './manifest.js';

const family = { manifest: doubaoManifest, chatModel: async () => (await import('@aigne/doubao')).DoubaoChatModel };

export const doubaoProvider: ProviderModule = {
  manifest: doubaoManifest,
  adapter: {
    chat: createOpenAIFamilyChat(family),
    embed: createOpenAIFamilyEmbed(family),
    wires: createOpenAIFamilyWires(family),
    // DoubaoImageModel fetches with @aigne/core's helper: the upstream call is abandoned, not cancelled, on abort.
    image: createAigneImageAdapter({
      manifest: doubaoManifest,
      createModel: async ({ req, target }) =>
        new (await import('@aigne/doubao')).DoubaoImageModel({ apiKey: requireApiKey(target, doubaoManifest), baseURL: baseUrlOf(target, doubaoManifest), model: req.model }),
    }),
  },
};
