/**
 * The AIGNE media clients, unchanged, against /api/v2: `AIGNEHubImageModel` (the transport envelope,
 * files answered as URLs the hub serves), the envelope on /api/v2/embeddings, and AIGNE Hub's flat
 * /api/v2/image/generations and /api/v2/completions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AIGNEHubImageModel, AIGNEHubVideoModel } from '@aigne/aigne-hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '../../scripts/fake-upstream/index.js';
import { fakeVideoBytes } from '../../scripts/fake-upstream/openai-media.js';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

describe('AIGNE media clients against /api/v2', () => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-openai-key-000000001'],
      rates: [
        { model: 'gpt-image-1', type: 'imageGeneration', inputRate: '0', outputRate: '0.04' },
        { model: 'dall-e-2', type: 'imageGeneration', inputRate: '0', outputRate: '0.02' },
        { model: 'text-embedding-3-small', type: 'embedding' },
        { model: 'gpt-4o-mini' },
        { model: 'sora-2', type: 'video', inputRate: '0', outputRate: '0.1' },
      ],
    });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'aigne media' })).body.key;
  });
  afterAll(() => h.close());

  it('AIGNEHubImageModel: the envelope is read, the image kept and answered as a URL the hub serves', async () => {
    const model = new AIGNEHubImageModel({ baseURL: h.url, apiKey: key, model: 'aignehub/openai/gpt-image-1' });
    const out = await model.invoke({ prompt: 'a red square', outputFileType: 'url' });
    expect(out.images).toHaveLength(1);
    const image = out.images[0]!;
    expect(image.type).toBe('url');
    const url = (image as { url: string }).url;
    expect(url).toMatch(new RegExp(`^${h.url}/api/media/[0-9a-f]{48}\\.png$`));
    expect(h.upstream.requests.at(-1)).toMatchObject({ path: '/v1/images/generations', model: 'gpt-image-1' });
    // Served without a login, with its type; the bytes are the upstream's.
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).toString('base64')).toBe(TINY_PNG_BASE64);
    const rows = await modelCallRows(h.t);
    expect(rows.at(-1)).toMatchObject({ type: 'imageGeneration', status: 'success', model: 'openai/gpt-image-1' });
    expect(Number(rows.at(-1)!.creditsNano)).toBe(40_000_000);
  });

  it('AIGNEHubImageModel: a file asked for comes back as the file', async () => {
    const model = new AIGNEHubImageModel({ baseURL: h.url, apiKey: key, model: 'aignehub/openai/gpt-image-1' });
    const out = await model.invoke({ prompt: 'a blue square', outputFileType: 'file' });
    expect(out.images[0]).toMatchObject({ type: 'file', data: TINY_PNG_BASE64 });
  });

  it('AIGNEHubVideoModel: create, poll and download upstream; the video kept and answered as a URL; seconds charged', async () => {
    const model = new AIGNEHubVideoModel({ baseURL: h.url, apiKey: key, model: 'aignehub/openai/sora-2' });
    const out = await model.invoke({ prompt: 'a drifting cloud', seconds: '8', outputFileType: 'url' });
    expect(out.seconds).toBe(8);
    expect(out.videos).toHaveLength(1);
    const url = (out.videos[0] as { url: string }).url;
    expect(url).toMatch(new RegExp(`^${h.url}/api/media/[0-9a-f]{48}\\.mp4$`));
    const paths = h.upstream.requests.slice(-3).map((r) => `${r.method} ${r.path.replace(/video_\w+/, 'ID')}`);
    expect(paths).toEqual(['POST /v1/videos', 'GET /v1/videos/ID', 'GET /v1/videos/ID/content']);
    const file = await fetch(url);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(fakeVideoBytes('a drifting cloud'));
    const rows = await modelCallRows(h.t);
    expect(rows.at(-1)).toMatchObject({ type: 'video', status: 'success', model: 'openai/sora-2' });
    // 8 seconds × 0.1 credits.
    expect(Number(rows.at(-1)!.creditsNano)).toBe(800_000_000);
  });

  it('kept files expire, and names that are not the hub’s are not found', async () => {
    const res = await h.t.request.post('/api/v2/image').set(bearer(key)).send({ input: { prompt: 'x', modelOptions: { model: 'openai/gpt-image-1' }, outputFileType: 'url' }, agent: '$CHAT_MODEL' });
    expect(res.status).toBe(200);
    const name = (res.body.images[0].url as string).split('/').pop()!;
    expect((await fetch(`${h.url}/api/media/${name}`)).status).toBe(200);
    expect((await fetch(`${h.url}/api/media/..%2Faikit.db`)).status).toBe(404);
    expect((await fetch(`${h.url}/api/media/${'0'.repeat(48)}.png`)).status).toBe(404);
    const old = new Date(Date.now() - 8 * 86_400_000);
    fs.utimesSync(path.join(h.t.dataDir, 'media', name), old, old);
    expect((await fetch(`${h.url}/api/media/${name}`)).status).toBe(404);
  });

  it('/api/v2/embeddings takes the envelope and the bare input', async () => {
    const enveloped = await h.t.request.post('/api/v2/embeddings').set(bearer(key)).send({ input: { input: ['one two', 'three'], model: 'openai/text-embedding-3-small' } });
    expect(enveloped.status).toBe(200);
    expect(enveloped.body.embeddings).toHaveLength(2);
    const bare = await h.t.request.post('/api/v2/embeddings').set(bearer(key)).send({ input: 'one two', model: 'openai/text-embedding-3-small' });
    expect(bare.status).toBe(200);
    expect(bare.body.embeddings[0]).toEqual(enveloped.body.embeddings[0]);
  });

  it('/api/v2/image/generations answers images and data', async () => {
    const res = await h.t.request.post('/api/v2/image/generations').set(bearer(key)).send({ model: 'openai/dall-e-2', prompt: 'a cat', n: 2, responseFormat: 'b64_json' });
    expect(res.status).toBe(200);
    expect(res.body.images).toHaveLength(2);
    expect(res.body.data[0]).toEqual({ b64_json: TINY_PNG_BASE64 });
    expect(res.body.model).toBe('openai/dall-e-2');
  });

  it('/api/v2/completions is the hub’s camelCase chat', async () => {
    const res = await h.t.request.post('/api/v2/completions').set(bearer(key)).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'old route' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'assistant', text: 'Echo: old route' });
  });
});
