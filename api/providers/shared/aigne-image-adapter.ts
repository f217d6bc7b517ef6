/** The one image adapter: an ImageRequest goes into an @aigne/core ImageModel built for this call. */
import type { ImageModel, ImageModelOutput } from '@aigne/core';
import type { ImageRequest, ImageResult, ProviderAdapter, ProviderManifest, ProviderTarget } from '../types.js';
import { toProviderError } from './provider-error.js';
import { secretsOf } from './target.js';

export interface AigneImageCall {
  req: ImageRequest;
  target: ProviderTarget;
  signal: AbortSignal;
}

export interface AigneImageAdapterOptions {
  manifest: ProviderManifest;
  /**
   * Build the model for one call, with `signal` wired into its SDK client where the class allows.
   * May be async: a provider loads its model package on first use.
   */
  createModel(call: AigneImageCall): ImageModel | Promise<ImageModel>;
  /** Provider-specific model options (default: size, quality, style as given). */
  modelOptions?(req: ImageRequest): Record<string, unknown>;
}

/**
 * Reject as soon as `signal` aborts. For classes that give no way to pass a signal (they use
 * @aigne/core's own fetch), the upstream request is abandoned rather than cancelled.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function toImageResult(out: ImageModelOutput): ImageResult {
  const images: ImageResult['images'] = [];
  for (const img of out.images ?? []) {
    if (img.type === 'url') images.push({ url: img.url });
    else if (img.type === 'file') images.push({ b64Json: img.data });
  }
  return {
    images,
    usage: { inputTokens: out.usage?.inputTokens ?? 0, outputTokens: out.usage?.outputTokens ?? 0, images: images.length },
  };
}

export function createAigneImageAdapter(options: AigneImageAdapterOptions): NonNullable<ProviderAdapter['image']> {
  return async (req, target, call) => {
    const signal = call.timeoutMs ? AbortSignal.any([call.signal, AbortSignal.timeout(call.timeoutMs)]) : call.signal;
    try {
      if (signal.aborted) throw signal.reason;
      const model = await options.createModel({ req, target, signal });
      model.retryOnError = undefined; // retries are the gateway's decision
      const modelOptions: Record<string, unknown> = { model: req.model };
      if (options.modelOptions) Object.assign(modelOptions, options.modelOptions(req));
      else {
        if (req.size) modelOptions.size = req.size;
        if (req.quality) modelOptions.quality = req.quality;
        if (req.style) modelOptions.style = req.style;
      }
      // outputFileType 'url' leaves every image as the provider returned it (no download, no temp file).
      const out = await raceAbort(model.invoke({ prompt: req.prompt, n: req.n, outputFileType: 'url', modelOptions }), signal);
      return toImageResult(out);
    } catch (err) {
      throw toProviderError(err, { signal, secrets: secretsOf(target), provider: options.manifest.displayName });
    }
  };
}
