/**
 * Audio (API.md §12), the same under /api/v1 and /api/v2: speech to text (multipart up, the
 * upstream's answer relayed as it is) and text to speech (audio bytes with their type). Rate type
 * `audio`: input credits per second transcribed and per character spoken.
 */
import type { Request, Response } from 'express';
import { z } from 'zod/v4';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import { MultipartError, readMultipart } from '../lib/multipart.js';
import { audioSeconds } from '../services/formats/audio-seconds.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { ModelCall } from '../services/gateway/model-call.js';
import { runMediaCall } from './media-call.js';

export const speechSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    input: z.string().min(1, 'input must not be empty').max(4096),
    voice: z.string().min(1).max(64),
    response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).nullish(),
    speed: z.number().min(0.25).max(4).nullish(),
    instructions: z.string().max(4096).nullish(),
  })
  .passthrough();

/** The form fields passed on to the provider (the file and the model are the hub's to send). */
const PASSED_FIELDS = new Set(['language', 'prompt', 'response_format', 'temperature', 'timestamp_granularities[]', 'chunking_strategy', 'include[]']);

export function transcriptionHandler(gateway: Gateway, translate: boolean, maxBytes: number) {
  return async (req: Request, res: Response) => {
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
      throw new BadRequestError('The request must be multipart/form-data with a file and a model', { code: 'invalid_body' });
    }
    let form;
    try {
      form = await readMultipart(req, { maxBytes, maxFiles: 1, maxFields: 16 });
    } catch (err) {
      if (err instanceof MultipartError) throw err.tooLarge ? new PayloadTooLargeError(err.message) : new BadRequestError(err.message, { code: 'invalid_body' });
      throw err;
    }
    const model = form.fields.find(([n]) => n === 'model')?.[1]?.trim();
    const file = form.files.find((f) => f.field === 'file');
    if (!model || model.length > 200) throw new BadRequestError('model is required', { extra: { param: 'model' } });
    if (!file?.data.length) throw new BadRequestError('file is required', { extra: { param: 'file' } });
    const fields = form.fields.filter(([n]) => PASSED_FIELDS.has(n));
    const measured = audioSeconds(file.data);
    const call = await gateway.begin(req, res, { model, type: 'audio', stream: false, seconds: measured.seconds });
    const result = await runMediaCall(
      call,
      'transcribe',
      'does not transcribe audio',
      (adapter, { candidate, target, signal }) => adapter.transcribe({ model: candidate.upstreamModel, file: { data: file.data, filename: file.filename, mimeType: file.mimeType }, translate, fields }, target, { signal }),
      (r) => ({ usage: { inputTokens: r.usage?.inputTokens ?? 0, outputTokens: r.usage?.outputTokens ?? 0, seconds: r.seconds ?? measured.seconds }, estimated: r.seconds === undefined && measured.estimated }),
    );
    sendBytes(call, res, result.contentType, result.body);
  };
}

export function speechHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const { model, ...body } = req.body as z.infer<typeof speechSchema>;
    const characters = [...body.input].length;
    const call = await gateway.begin(req, res, { model, type: 'audio', stream: false, characters });
    const result = await runMediaCall(
      call,
      'speech',
      'does not speak',
      (adapter, { candidate, target, signal }) => adapter.speech({ model: candidate.upstreamModel, body }, target, { signal }),
      () => ({ usage: { characters } }),
    );
    sendBytes(call, res, result.contentType, result.data);
  };
}

/** Audio bytes as the whole answer. */
function sendBytes(call: ModelCall, res: Response, contentType: string, bytes: Buffer | Uint8Array): void {
  call.markFirstByte();
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}
