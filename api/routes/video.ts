/**
 * POST /api/v2/video — what AIGNEHubVideoModel sends (API.md §12), through the providers' video
 * classes (OpenAI Sora, Google Veo). Rate type `video`: output credits per second generated.
 */
import type { Request, Response } from 'express';
import { z } from 'zod/v4';
import { BadRequestError } from '../errors.js';
import { sendJson } from '../lib/json-response.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { MediaStore } from '../services/media-store.js';
import { mediaUrl } from './media-files.js';
import { runMediaCall, settle } from './media-call.js';

const file = z.object({ type: z.enum(['file', 'url', 'local']), data: z.string().optional(), url: z.string().max(8192).optional(), mimeType: z.string().max(100).optional() }).passthrough();

export const videoSchema = z
  .object({
    prompt: z.string().min(1, 'prompt must not be empty').max(32_000),
    model: z.string().trim().min(1).max(200).optional(),
    modelOptions: z.object({ model: z.string().max(200).optional() }).passthrough().nullish(),
    seconds: z.union([z.string().regex(/^\d{1,3}$/), z.number().int().positive().max(600)]).nullish(),
    size: z.string().max(32).nullish(),
    image: file.nullish(),
    outputFileType: z.enum(['url', 'file', 'local']).nullish(),
  })
  .passthrough()
  .refine((b) => b.model || b.modelOptions?.model, { message: 'model is required', path: ['model'] });

/** Seconds reserved for when the request names none (the longest default of the video classes). */
const DEFAULT_SECONDS = 8;

export function videoHandler(gateway: Gateway, media: MediaStore, appUrl?: string) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof videoSchema>;
    const model = (body.modelOptions?.model ?? body.model)!;
    const seconds = body.seconds === null || body.seconds === undefined ? undefined : String(body.seconds);
    // A local path means nothing to a remote hub; an image reaches it as data, or as a URL the hub
    // downloads itself (through its guarded fetch: the video classes would fetch anything).
    if (body.image?.type === 'local') throw new BadRequestError('image must be a file or a URL', { extra: { param: 'image' } });
    const imageUrl = body.image?.type === 'url' ? body.image.url : undefined;
    await gateway.checkImageUrls(imageUrl ? [imageUrl] : []);
    const call = await gateway.begin(req, res, { model, type: 'video', stream: false, seconds: Number(seconds ?? DEFAULT_SECONDS) });
    const image = await settle(call, async () => (imageUrl ? await call.fetchImage(imageUrl) : body.image?.data ? { data: body.image.data, mimeType: body.image.mimeType } : undefined));
    const result = await runMediaCall(
      call,
      'video',
      'does not generate video',
      (adapter, { candidate, target, signal }) => adapter.video({ model: candidate.upstreamModel, prompt: body.prompt, seconds, size: body.size ?? undefined, image }, target, { signal }),
      (r) => ({ usage: { seconds: r.seconds } }),
    );
    const asUrl = body.outputFileType !== 'file';
    const videos = await Promise.all(
      result.videos.map(async (v) =>
        !v.data ? { type: 'url', url: v.url, mimeType: v.mimeType } : asUrl ? { type: 'url', url: mediaUrl(req, appUrl, await media.save(Buffer.from(v.data, 'base64'), v.mimeType)), mimeType: v.mimeType } : { type: 'file', data: v.data, mimeType: v.mimeType },
      ),
    );
    call.markFirstByte();
    sendJson(res, { videos, usage: { inputTokens: 0, outputTokens: 0 }, model, seconds: result.seconds });
  };
}
