/**
 * Embeddings in every encoding, through the real `openai` client and the AIGNE route, against an
 * upstream that honours `encoding_format` and one that ignores it and always answers float arrays.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embeddingFor } from '../../scripts/fake-upstream/content.js';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const MODEL = 'openai/text-embedding-3-small';
const DIMS = 8;

/** OpenAI's base64 encoding: float32, little-endian. */
function decodeFloat32LE(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

describe.each([
  { upstream: 'honours encoding_format', ignoreEncodingFormat: false },
  { upstream: 'ignores encoding_format', ignoreEncodingFormat: true },
])('embeddings when the upstream $upstream', ({ ignoreEncodingFormat }) => {
  let h: GatewayHarness;
  let client: OpenAI;
  let memberKey: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-openai-key-000000000001'],
      rates: [{ model: 'text-embedding-3-small', type: 'embedding', inputRate: '0.00000002', outputRate: '0' }],
    });
    memberKey = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'embeddings' })).body.key;
    client = new OpenAI({ apiKey: memberKey, baseURL: `${h.url}/api/v1`, maxRetries: 0 });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.upstream.reset();
    h.upstream.setDefaults({ ignoreEncodingFormat });
  });

  const upstreamEncoding = () => (h.upstream.requests.at(-1)!.body as { encoding_format?: string }).encoding_format;
  const expected = (text: string) => embeddingFor(text, DIMS);

  it('gives the SDK its default (base64 on the wire) as the true vectors', async () => {
    const res = await client.embeddings.create({ model: MODEL, input: ['one two', 'three'], dimensions: DIMS });
    expect(res.data.map((d) => d.embedding)).toEqual([expected('one two'), expected('three')]);
    expect(upstreamEncoding()).toBe('base64');
  });

  it('answers floats when the client asks for floats, and asks the upstream for floats', async () => {
    const res = await client.embeddings.create({ model: MODEL, input: 'one two', dimensions: DIMS, encoding_format: 'float' });
    expect(res.data[0]!.embedding).toEqual(expected('one two'));
    expect(upstreamEncoding()).toBe('float');
  });

  it('answers base64 of little-endian float32 when the client asks for base64', async () => {
    const res = await client.embeddings.create({ model: MODEL, input: 'one two', dimensions: DIMS, encoding_format: 'base64' });
    const text = res.data[0]!.embedding as unknown as string;
    expect(typeof text).toBe('string');
    expect(decodeFloat32LE(text)).toEqual(expected('one two'));
  });

  it('answers floats on /api/v1 when the body names no encoding', async () => {
    const res = await h.t.request.post('/api/v1/embeddings').set(bearer(memberKey)).send({ model: MODEL, input: 'one two', dimensions: DIMS });
    expect(res.status).toBe(200);
    expect(res.body.data[0].embedding).toEqual(expected('one two'));
    expect(upstreamEncoding()).toBe('float');
  });

  it('answers float vectors on the AIGNE route /api/v2/embeddings', async () => {
    const res = await h.t.request.post('/api/v2/embeddings').set(bearer(memberKey)).send({ model: MODEL, input: ['alpha beta', 'gamma'], dimensions: DIMS });
    expect(res.status).toBe(200);
    expect(res.body.embeddings).toEqual([expected('alpha beta'), expected('gamma')]);
    expect(upstreamEncoding()).toBe('float');
  });
});
