/**
 * Embeddings and images, in the OpenAI format (/api/v1) and the AIGNE format (/api/v2, bare or in
 * the @aigne/transport envelope): one handler each, with the wire format as a parameter.
 */
import type { Request, Response } from 'express';
import { z } from 'zod/v4';
import { encodeFloat32Base64 } from '../lib/float32-base64.js';
import { sendJson } from '../lib/json-response.js';
import type { EmbeddingResult, ImageResult } from '../providers/types.js';
import { estimateTokens } from '../services/formats/chat-answer.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { ModelCall } from '../services/gateway/model-call.js';
import { sniffMimeType, type MediaStore } from '../services/media-store.js';
import { runMediaCall } from './media-call.js';
import { mediaUrl } from './media-files.js';

export const openAIEmbeddingSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    input: z.union([z.string(), z.array(z.string()).min(1, 'input must not be empty').max(2048)]),
    encoding_format: z.enum(['float', 'base64']).nullish(),
    dimensions: z.number().int().positive().nullish(),
    user: z.string().nullish(),
  })
  .passthrough();

export const aigneEmbeddingSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
    dimensions: z.number().int().positive().nullish(),
  })
  .passthrough();

export const openAIImageSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    prompt: z.string().min(1, 'prompt must not be empty').max(32_000),
    n: z.number().int().min(1).max(10).nullish(),
    size: z.string().max(32).nullish(),
    quality: z.string().max(32).nullish(),
    style: z.string().max(32).nullish(),
    response_format: z.enum(['url', 'b64_json']).nullish(),
    user: z.string().nullish(),
  })
  .passthrough();

export const aigneImageGenerationsSchema = openAIImageSchema.extend({ responseFormat: z.enum(['url', 'b64_json']).nullish() });

export const aigneImageSchema = z
  .object({
    prompt: z.string().min(1).max(32_000),
    model: z.string().trim().min(1).max(200).optional(),
    n: z.number().int().min(1).max(10).nullish(),
    size: z.string().max(32).nullish(),
    quality: z.string().max(32).nullish(),
    style: z.string().max(32).nullish(),
    outputFileType: z.enum(['url', 'file', 'local']).nullish(),
    modelOptions: z.object({ model: z.string().optional() }).passthrough().nullish(),
  })
  .passthrough()
  .refine((b) => b.model || b.modelOptions?.model, { message: 'model is required', path: ['model'] });

async function embed(
  gateway: Gateway,
  req: Request,
  res: Response,
  p: { model: string; input: string[]; dimensions?: number; encodingFormat?: 'float' | 'base64' },
): Promise<{ call: ModelCall; result: EmbeddingResult }> {
  const { model, input } = p;
  const call = await gateway.begin(req, res, { model, type: 'embedding', stream: false, estimatedInputTokens: estimateTokens(input) });
  const result = await runMediaCall(
    call,
    'embed',
    'does not offer embeddings',
    (adapter, { candidate, target, signal }) => adapter.embed({ model: candidate.upstreamModel, input, dimensions: p.dimensions, encodingFormat: p.encodingFormat }, target, { signal }),
    (r) => (r.usage.inputTokens > 0 ? { usage: r.usage } : { usage: { inputTokens: estimateTokens(input), outputTokens: 0 }, estimated: true }),
  );
  call.markFirstByte();
  return { call, result };
}

export function openAIEmbeddingsHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof openAIEmbeddingSchema>;
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const encodingFormat = body.encoding_format ?? 'float';
    const { call, result } = await embed(gateway, req, res, { model: body.model, input, dimensions: body.dimensions ?? undefined, encodingFormat });
    sendJson(res, {
      object: 'list',
      data: result.embeddings.map((e, index) => ({ object: 'embedding', index, embedding: encodingFormat === 'base64' ? encodeFloat32Base64(e) : e })),
      model: body.model,
      usage: { prompt_tokens: call.record.usage.inputTokens, total_tokens: call.record.usage.inputTokens },
    });
  };
}

export function aigneEmbeddingsHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof aigneEmbeddingSchema>;
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const { call, result } = await embed(gateway, req, res, { model: body.model, input, dimensions: body.dimensions ?? undefined });
    sendJson(res, { embeddings: result.embeddings, model: body.model, usage: { inputTokens: call.record.usage.inputTokens, outputTokens: 0 } });
  };
}

async function generate(
  gateway: Gateway,
  req: Request,
  res: Response,
  p: { model: string; prompt: string; n?: number; size?: string; quality?: string; style?: string; responseFormat: 'url' | 'b64_json' },
): Promise<{ call: ModelCall; result: ImageResult }> {
  const call = await gateway.begin(req, res, { model: p.model, type: 'imageGeneration', stream: false, images: p.n ?? 1, estimatedInputTokens: estimateTokens(p.prompt) });
  const result = await runMediaCall(
    call,
    'image',
    'does not generate images',
    (adapter, { candidate, target, signal }) => adapter.image({ model: candidate.upstreamModel, prompt: p.prompt, n: p.n, size: p.size, quality: p.quality, style: p.style, responseFormat: p.responseFormat }, target, { signal }),
    (r) => ({ usage: { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens, images: r.usage.images || r.images.length } }),
  );
  call.markFirstByte();
  return { call, result };
}

/** The image request of an OpenAI-shaped body (`/api/v1/images/generations`, `/api/v2/image/generations`). */
function imageRequestOf(body: z.infer<typeof openAIImageSchema>, responseFormat: 'url' | 'b64_json') {
  return {
    model: body.model,
    prompt: body.prompt,
    n: body.n ?? undefined,
    size: body.size ?? undefined,
    quality: body.quality ?? undefined,
    style: body.style ?? undefined,
    responseFormat,
  };
}

export function openAIImagesHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof openAIImageSchema>;
    const { call, result } = await generate(gateway, req, res, imageRequestOf(body, body.response_format ?? 'url'));
    sendJson(res, {
      created: Math.floor(Date.now() / 1000),
      data: result.images.map((i) => ({ ...(i.b64Json ? { b64_json: i.b64Json } : { url: i.url }), ...(i.revisedPrompt ? { revised_prompt: i.revisedPrompt } : {}) })),
      usage: { input_tokens: call.record.usage.inputTokens, output_tokens: call.record.usage.outputTokens, total_tokens: call.record.usage.inputTokens + call.record.usage.outputTokens },
    });
  };
}

/**
 * The @aigne/transport envelope `{"input": {...}, "agent", "options"}` that AIGNEHubImageModel and
 * the AIGNE embedding client send: its input is the request (a bare request's `input` is text).
 */
export function aigneEnvelope() {
  return (req: Request, _res: Response, next: () => void) => {
    const body = req.body as { input?: unknown; model?: unknown } | undefined;
    if (body && body.input && typeof body.input === 'object' && !Array.isArray(body.input)) {
      const input = body.input as Record<string, unknown>;
      req.body = { ...input, model: input.model ?? body.model };
    }
    next();
  };
}

export function aigneImageHandler(gateway: Gateway, media: MediaStore, appUrl?: string) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof aigneImageSchema>;
    const model = (body.modelOptions?.model ?? body.model)!;
    const asUrl = body.outputFileType === 'url';
    const { call, result } = await generate(gateway, req, res, {
      model,
      prompt: body.prompt,
      n: body.n ?? undefined,
      size: body.size ?? undefined,
      quality: body.quality ?? undefined,
      style: body.style ?? undefined,
      // Files the hub keeps are asked for as bytes: it serves them itself.
      responseFormat: 'b64_json',
    });
    const images = await Promise.all(
      result.images.map(async (i) => {
        if (!i.b64Json) return { type: 'url', url: i.url, mimeType: 'image/png' };
        const data = Buffer.from(i.b64Json, 'base64');
        const mimeType = sniffMimeType(data, 'image/png');
        return asUrl ? { type: 'url', url: mediaUrl(req, appUrl, await media.save(data, mimeType)), mimeType } : { type: 'file', data: i.b64Json, mimeType };
      }),
    );
    sendJson(res, { images, model, usage: { inputTokens: call.record.usage.inputTokens, outputTokens: call.record.usage.outputTokens } });
  };
}

/** POST /api/v2/image/generations: a flat body, answered as AIGNE Hub answers it (`images` and `data`). */
export function aigneImageGenerationsHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof openAIImageSchema> & { responseFormat?: 'url' | 'b64_json' };
    const { call, result } = await generate(gateway, req, res, imageRequestOf(body, body.response_format ?? body.responseFormat ?? 'url'));
    const data = result.images.map((i) => ({ ...(i.b64Json ? { b64_json: i.b64Json } : { url: i.url }), ...(i.revisedPrompt ? { revised_prompt: i.revisedPrompt } : {}) }));
    sendJson(res, { images: data, data, model: body.model, usage: { inputTokens: call.record.usage.inputTokens, outputTokens: call.record.usage.outputTokens } });
  };
}
