/** The one video adapter: a VideoRequest goes into an @aigne/core VideoModel built for this call. */
import type { VideoModel } from '@aigne/core';
import type { ProviderAdapter, ProviderManifest, ProviderTarget, VideoRequest } from '../types.js';
import { raceAbort } from './aigne-image-adapter.js';
import { toProviderError } from './provider-error.js';
import { secretsOf } from './target.js';

export interface AigneVideoCall {
  req: VideoRequest;
  target: ProviderTarget;
  signal: AbortSignal;
}

export interface AigneVideoAdapterOptions {
  manifest: ProviderManifest;
  /**
   * Builds the model (a VideoModel of @aigne/core: the provider classes narrow its input types) for
   * one call, its client's requests bound to `signal`, which also ends its polling.
   */
  createModel(call: AigneVideoCall): Promise<object>;
}

/**
 * A fetch whose every request also ends when `signal` aborts: a client that leaves stops the
 * polling. Node's own fetch: the `openai` SDK posts videos as multipart, with Node's FormData, which
 * undici's package fetch (sdk-fetch.ts) does not take.
 */
export function fetchWithSignal(signal: AbortSignal): typeof globalThis.fetch {
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })) as typeof globalThis.fetch;
}

export function createAigneVideoAdapter(options: AigneVideoAdapterOptions): NonNullable<ProviderAdapter['video']> {
  return async (req, target, call) => {
    const signal = call.timeoutMs ? AbortSignal.any([call.signal, AbortSignal.timeout(call.timeoutMs)]) : call.signal;
    try {
      if (signal.aborted) throw signal.reason;
      const model = (await options.createModel({ req, target, signal })) as VideoModel;
      model.retryOnError = undefined;
      const image = req.image ? { type: 'file' as const, data: req.image.data, mimeType: req.image.mimeType } : undefined;
      const out = await raceAbort(
        model.invoke({ prompt: req.prompt, model: req.model, seconds: req.seconds, size: req.size, image, outputFileType: 'file', modelOptions: { model: req.model } }),
        signal,
      );
      const videos = (out.videos ?? []).map((v) => (v.type === 'file' ? { data: v.data, mimeType: v.mimeType ?? 'video/mp4' } : { url: (v as { url: string }).url, mimeType: v.mimeType ?? 'video/mp4' }));
      return { videos, seconds: out.seconds ?? (req.seconds ? Number(req.seconds) : 0) };
    } catch (err) {
      throw toProviderError(err, { signal, secrets: secretsOf(target), provider: options.manifest.displayName });
    }
  };
}
