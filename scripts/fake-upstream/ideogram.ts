/** Ideogram v3: `POST /v1/ideogram-v3/generate` (multipart form, `Api-Key` header). */
import { type Exchange, sendError, sendJson } from './exchange.js';

/** The value of one text field of a multipart/form-data body. */
function formField(body: string, name: string): string | undefined {
  const marker = `name="${name}"`;
  const i = body.indexOf(marker);
  if (i < 0) return undefined;
  const start = body.indexOf('\r\n\r\n', i);
  if (start < 0) return undefined;
  const end = body.indexOf('\r\n--', start + 4);
  return body.slice(start + 4, end < 0 ? undefined : end);
}

export function handleIdeogram(ex: Exchange): void {
  const raw = typeof ex.body === 'string' ? ex.body : '';
  const prompt = formField(raw, 'prompt');
  if (!prompt) {
    sendError(ex, 400, { detail: 'prompt is required' });
    return;
  }
  const n = Math.max(1, Number(formField(raw, 'num_images')) || 1);
  const resolution = formField(raw, 'resolution') ?? '1024x1024';
  sendJson(ex, 200, {
    created: new Date().toISOString(),
    data: Array.from({ length: n }, (_, i) => ({
      prompt,
      resolution,
      is_image_safe: true,
      seed: 12345 + i,
      style_type: 'GENERAL',
      url: `${ex.baseUrl}/__fake/image.png?i=${i}`,
    })),
  });
}
