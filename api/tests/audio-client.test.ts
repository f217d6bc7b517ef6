/**
 * The `openai` SDK's audio calls against /api/v1/audio (and the same under /api/v2), unchanged:
 * transcription, translation and speech, with rate type `audio` charged per second and per character.
 */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

/** A PCM WAV file of `seconds` of silence at 8 kHz, 16 bit, mono (16,000 bytes a second). */
function wav(seconds: number): Buffer {
  const data = Buffer.alloc(seconds * 16_000);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('OpenAI SDK audio against /api/v1/audio and /api/v2/audio', () => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-openai-key-000000001'],
      rates: [
        { model: 'whisper-1', type: 'audio', inputRate: '0.0001', outputRate: '0' },
        { model: 'gpt-4o-transcribe', type: 'audio', inputRate: '0.0001', outputRate: '0' },
        { model: 'tts-1', type: 'audio', inputRate: '0.000015', outputRate: '0' },
      ],
    });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'audio' })).body.key;
  });
  afterAll(() => h.close());

  for (const version of ['v1', 'v2']) {
    const client = () => new OpenAI({ apiKey: key, baseURL: `${h.url}/api/${version}`, maxRetries: 0 });

    it(`${version}: transcribes, charging the seconds the upstream reports`, async () => {
      const { data, response } = await client()
        .audio.transcriptions.create({ model: 'openai/whisper-1', file: await toFile(wav(3), 'hello.wav', { type: 'audio/wav' }), language: 'en' })
        .withResponse();
      expect(data.text).toBe('Transcript of hello.wav');
      const up = h.upstream.requests.at(-1)!;
      expect(up).toMatchObject({ path: '/v1/audio/transcriptions', apiKey: 'sk-upstream-openai-key-000000001' });
      expect(up.body).toMatchObject({ model: 'whisper-1', language: 'en', file: { filename: 'hello.wav', bytes: 48_044 } });
      const row = await modelCallRow(h.t, response.headers.get('x-aigne-hub-model-call-id')!);
      // The fake reports ceil(48,044 / 32,000) = 2 seconds: 2 × 0.0001 credits.
      expect(row).toMatchObject({ type: 'audio', status: 'success', usageEstimated: 0 });
      expect(Number(row!.creditsNano)).toBe(200_000);
    });
  }

  it('answers text formats as they are, and measures a WAV itself when the upstream reports no seconds', async () => {
    const { data, response } = await new OpenAI({ apiKey: key, baseURL: `${h.url}/api/v1`, maxRetries: 0 }).audio.transcriptions
      .create({ model: 'openai/whisper-1', file: await toFile(wav(5), 'five.wav', { type: 'audio/wav' }), response_format: 'text' })
      .withResponse();
    expect(data).toBe('Transcript of five.wav\n');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const row = await modelCallRow(h.t, response.headers.get('x-aigne-hub-model-call-id')!);
    // 5 seconds from the WAV header: 5 × 0.0001 credits.
    expect(Number(row!.creditsNano)).toBe(500_000);
    expect(row!.usageEstimated).toBe(0);
  });

  it('translates', async () => {
    const res = await new OpenAI({ apiKey: key, baseURL: `${h.url}/api/v1`, maxRetries: 0 }).audio.translations.create({ model: 'openai/whisper-1', file: await toFile(wav(1), 'bonjour.wav', { type: 'audio/wav' }) });
    expect(res.text).toBe('Translation of bonjour.wav');
    expect(h.upstream.requests.at(-1)!.path).toBe('/v1/audio/translations');
  });

  for (const version of ['v1', 'v2']) {
    it(`${version}: speaks, answering the bytes with their type and charging per character`, async () => {
      const input = 'héllo wörld';
      const res = await new OpenAI({ apiKey: key, baseURL: `${h.url}/api/${version}`, maxRetries: 0 }).audio.speech.create({ model: 'openai/tts-1', input, voice: 'alloy', response_format: 'wav' });
      expect(res.headers.get('content-type')).toBe('audio/wav');
      expect(Buffer.from(await res.arrayBuffer()).toString()).toBe(`FAKE-wav:${input}`);
      const row = await modelCallRow(h.t, res.headers.get('x-aigne-hub-model-call-id')!);
      // 11 characters × 0.000015 credits.
      expect(row).toMatchObject({ type: 'audio', status: 'success' });
      expect(Number(row!.creditsNano)).toBe(165_000);
    });
  }

  it('usage stats break the calls down by type', async () => {
    await h.t.hub.gateway.recorder.flush();
    const res = await h.t.request.get('/api/usage/stats?groupBy=type').set(bearer(h.t.adminKey));
    expect(res.status).toBe(200);
    const audio = (res.body.data as { key: string; calls: number }[]).find((r) => r.key === 'audio');
    expect(audio?.calls).toBeGreaterThanOrEqual(6);
  });

  it('refuses bad uploads with the API’s errors, and reports upstream failures', async () => {
    const noFile = await h.t.request.post('/api/v1/audio/transcriptions').set(bearer(key)).field('model', 'openai/whisper-1');
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.message).toBe('file is required');
    const json = await h.t.request.post('/api/v1/audio/transcriptions').set(bearer(key)).send({ model: 'openai/whisper-1' });
    expect(json.status).toBe(400);
    const big = await h.t.request.post('/api/v1/audio/transcriptions').set(bearer(key)).field('model', 'openai/whisper-1').attach('file', Buffer.alloc(h.t.config.maxBodySize + 1), 'big.wav');
    expect(big.status).toBe(413);
    const noKey = await h.t.request.post('/api/v1/audio/transcriptions').field('model', 'openai/whisper-1').attach('file', wav(1), 'a.wav');
    expect(noKey.status).toBe(401);
    h.upstream.enqueue({ status: 500, match: { path: '/audio/transcriptions' } });
    const failed = await h.t.request.post('/api/v1/audio/transcriptions').set(bearer(key)).field('model', 'openai/whisper-1').attach('file', wav(1), 'a.wav');
    expect(failed.status).toBe(502);
    const row = await modelCallRow(h.t, failed.headers['x-aigne-hub-model-call-id']!);
    expect(row).toMatchObject({ type: 'audio', status: 'failed' });
  });
});
