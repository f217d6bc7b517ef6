import { createAigneImageAdapter } from '../shared/aigne-image-adapter.js';
import { baseUrlOf, requireApiKey } from '../shared/target.js';
import type { ProviderModule } from '../types.js';
import { ideogramManifest } from './manifest.js';

export const ideogramProvider: ProviderModule = {
  manifest: ideogramManifest,
  adapter: {
    // IdeogramImageModel fetches with @aigne/core's helper: the upstream call is abandoned, not cancelled, on abort.
    image: createAigneImageAdapter({
      manifest: ideogramManifest,
      createModel: async ({ req, target }) =>
        new (await import('@aigne/ideogram')).IdeogramImageModel({ apiKey: requireApiKey(target, ideogramManifest), baseURL: baseUrlOf(target, ideogramManifest), model: req.model }),
      modelOptions: (req) => (req.size ? { resolution: req.size } : {}),
    }),
  },
};
