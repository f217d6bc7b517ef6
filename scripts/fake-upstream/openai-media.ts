/**
 * OpenAI audio and video wire formats: `…/audio/transcriptions` and `…/audio/translations`
 * (multipart up; JSON, verbose JSON or text back), `…/audio/speech` (JSON up, audio bytes back), and
 * `…/videos` (create → queued, retrieve → completed, `/content` → MP4 bytes).
 */
import busboy from 'busboy';
import { countWords, nextId } from './content.js';
import { type Exchange, sendError, sendJson } from './exchange.js';

/** Seconds the fake reports for an upload: 32,000 bytes a second, rounded up. */
export const fakeAudioSeconds = (bytes: number) => Math.ceil(bytes / 32_000);

/** The bytes of a fake MP4 for a prompt (an `ftyp` box, then the prompt). */
export const fakeVideoBytes = (prompt: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isomiso2'), Buffer.from(prompt)]);

interface Form {
  fields: Record<string, string>;
  file?: { filename: string; data: Buffer };
}

function parseForm(ex: Exchange): Promise<Form> {
  return new Promise((resolve, reject) => {
    const form: Form = { fields: {} };
    const parser = busboy({ headers: ex.req.headers });
    parser.on('field', (name, value) => (form.fields[name] = value));
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (form.file = { filename: info.filename ?? 'file', data: Buffer.concat(chunks) }));
    });
    parser.on('close', () => resolve(form));
    parser.on('error', reject);
    parser.end(ex.raw ?? Buffer.alloc(0));
  });
}

const invalid = (ex: Exchange, message: string, param: string) => sendError(ex, 400, { error: { message, type: 'invalid_request_error', param, code: null } });

export async function handleOpenAITranscription(ex: Exchange): Promise<void> {
  let form: Form;
  try {
    form = await parseForm(ex);
  } catch {
    return invalid(ex, 'Could not parse multipart form', 'file');
  }
  if (!form.file) return invalid(ex, "Missing required parameter: 'file'.", 'file');
  if (!form.fields.model) return invalid(ex, "Missing required parameter: 'model'.", 'model');
  if (ex.record) ex.record.body = { ...form.fields, file: { filename: form.file.filename, bytes: form.file.data.length } };
  const translate = ex.path.endsWith('/translations');
  const text = ex.reply ?? `${translate ? 'Translation' : 'Transcript'} of ${form.file.filename}`;
  const seconds = fakeAudioSeconds(form.file.data.length);
  const format = form.fields.response_format ?? 'json';
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    const body = format === 'text' ? `${text}\n` : format === 'srt' ? `1\n00:00:00,000 --> 00:00:0${Math.min(seconds, 9)},000\n${text}\n` : `WEBVTT\n\n00:00:00.000 --> 00:00:0${Math.min(seconds, 9)}.000\n${text}\n`;
    return sendJson(ex, 200, body);
  }
  if (format === 'verbose_json') return sendJson(ex, 200, { task: translate ? 'translate' : 'transcribe', language: form.fields.language ?? 'english', duration: seconds, text, segments: [] });
  const usage = String(form.fields.model).startsWith('whisper')
    ? { type: 'duration', seconds }
    : { type: 'tokens', input_tokens: seconds * 10, output_tokens: countWords(text), total_tokens: seconds * 10 + countWords(text) };
  sendJson(ex, 200, { text, usage });
}

const SPEECH_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };

export function handleOpenAISpeech(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || typeof body.input !== 'string') return invalid(ex, "Missing required parameter: 'input'.", 'input');
  if (typeof body.voice !== 'string') return invalid(ex, "Missing required parameter: 'voice'.", 'voice');
  const type = SPEECH_TYPES[body.response_format ?? 'mp3'] ?? 'audio/mpeg';
  // Deterministic bytes: a format tag, then the text spoken.
  const data = Buffer.concat([Buffer.from(`FAKE-${body.response_format ?? 'mp3'}:`), Buffer.from(body.input)]);
  ex.res.writeHead(200, { 'content-type': type, 'content-length': data.length });
  if (ex.record) ex.record.status = 200;
  ex.res.end(data);
}

interface FakeVideo {
  id: string;
  model: string;
  prompt: string;
  seconds: string;
  size: string;
  created_at: number;
  status: 'queued' | 'completed';
}
const videos = new Map<string, FakeVideo>();
const videoObject = (v: FakeVideo) => ({ id: v.id, object: 'video', model: v.model, status: v.status, progress: v.status === 'completed' ? 100 : 0, created_at: v.created_at, size: v.size, seconds: v.seconds, error: null });

export async function handleOpenAIVideos(ex: Exchange): Promise<void> {
  const m = /\/videos(?:\/([^/]+))?(\/content)?$/.exec(ex.path);
  const id = m?.[1];
  if (ex.req.method === 'POST' && !id) {
    let fields: Record<string, unknown> = ex.body && typeof ex.body === 'object' ? ex.body : {};
    if (String(ex.req.headers['content-type'] ?? '').startsWith('multipart/')) fields = (await parseForm(ex)).fields;
    if (typeof fields.prompt !== 'string') return invalid(ex, "Missing required parameter: 'prompt'.", 'prompt');
    const v: FakeVideo = { id: nextId('video_'), model: String(fields.model ?? 'sora-2'), prompt: fields.prompt, seconds: String(fields.seconds ?? '4'), size: String(fields.size ?? '720x1280'), created_at: Math.floor(Date.now() / 1000), status: 'queued' };
    videos.set(v.id, v);
    return sendJson(ex, 200, videoObject(v));
  }
  const v = id ? videos.get(id) : undefined;
  if (!v) return sendError(ex, 404, { error: { message: `Video '${id}' not found`, type: 'invalid_request_error', param: null, code: 'not_found' } });
  if (!m?.[2]) {
    v.status = 'completed';
    return sendJson(ex, 200, videoObject(v));
  }
  const data = fakeVideoBytes(v.prompt);
  ex.res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': data.length });
  if (ex.record) ex.record.status = 200;
  ex.res.end(data);
}
