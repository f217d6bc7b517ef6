/**
 * Audio for the OpenAI wire (OpenAI and OpenAI-compatible servers): `/audio/transcriptions` and
 * `/audio/translations` (multipart up, the answer relayed as it is) and `/audio/speech` (JSON up,
 * audio bytes back), on the shared upstream pool.
 */
import { FormData, request } from 'undici';
import { ProviderError } from '../../errors.js';
import type { ProviderAdapter, ProviderManifest, ProviderTarget } from '../types.js';
import { parseRetryAfter, toProviderError } from './provider-error.js';
import { baseUrlOf, requireApiKey, secretsOf } from './target.js';
import { upstreamAgent } from './upstream-agent.js';
import { upstreamErrorMessage } from './wire-endpoint.js';

interface AudioOptions {
  manifest: ProviderManifest;
  placeholderApiKey?: string;
}

async function post(o: AudioOptions, target: ProviderTarget, path: string, body: FormData | string, signal: AbortSignal, contentType?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${requireApiKey(target, o.manifest, o.placeholderApiKey)}` };
  if (contentType) headers['content-type'] = contentType;
  let res;
  try {
    res = await request(`${baseUrlOf(target, o.manifest)}${path}`, { method: 'POST', headers, body, signal, dispatcher: upstreamAgent });
  } catch (err) {
    throw toProviderError(err, { signal, secrets: secretsOf(target), provider: o.manifest.displayName });
  }
  const data = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode >= 400) {
    throw new ProviderError(upstreamErrorMessage(data.toString('utf8')), { kind: 'http', status: res.statusCode, retryAfter: parseRetryAfter(res.headers) });
  }
  return { data, contentType: String(res.headers['content-type'] ?? 'application/octet-stream') };
}

/** Seconds an OpenAI transcription reports: `usage.seconds` (duration usage) or verbose JSON's `duration`. */
function reportedSeconds(json: { usage?: { type?: string; seconds?: number }; duration?: number }): number | undefined {
  if (json.usage?.type === 'duration' && typeof json.usage.seconds === 'number') return json.usage.seconds;
  return typeof json.duration === 'number' ? json.duration : undefined;
}

export function createOpenAIFamilyAudio(o: AudioOptions): Pick<ProviderAdapter, 'transcribe' | 'speech'> {
  return {
    async transcribe(req, target, call) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(req.file.data)], { type: req.file.mimeType }), req.file.filename);
      form.append('model', req.model);
      for (const [name, value] of req.fields) form.append(name, value);
      const answer = await post(o, target, req.translate ? '/audio/translations' : '/audio/transcriptions', form, call.signal);
      let seconds: number | undefined;
      let usage;
      if (answer.contentType.includes('json')) {
        try {
          const json = JSON.parse(answer.data.toString('utf8')) as { usage?: { type?: string; seconds?: number; input_tokens?: number; output_tokens?: number } };
          seconds = reportedSeconds(json);
          if (json.usage?.type === 'tokens') usage = { inputTokens: json.usage.input_tokens ?? 0, outputTokens: json.usage.output_tokens ?? 0 };
        } catch {
          // relayed as it is; the hub measures the seconds itself
        }
      }
      return { body: answer.data, contentType: answer.contentType, seconds, usage };
    },
    async speech(req, target, call) {
      const answer = await post(o, target, '/audio/speech', JSON.stringify({ ...req.body, model: req.model }), call.signal, 'application/json');
      return { data: answer.data, contentType: answer.contentType };
    },
  };
}
