import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { ProviderError } from '../../errors.js';
import { doubaoProvider } from '../doubao/index.js';
import { ideogramProvider } from './index.js';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const signal = () => new AbortController().signal;

describe('ideogram adapter (images only)', () => {
  const target = () => ({ baseUrl: up.url, credential: { api_key: 'ideo-secret-key' } });

  it('generates images as URLs, sending the key in Api-Key and the size as resolution', async () => {
    const out = await ideogramProvider.adapter.image!({ model: 'ideogram-v3', prompt: 'a lighthouse at dusk', n: 2, size: '1024x1024' }, target(), { signal: signal() });
    expect(out.images).toEqual([{ url: `${up.url}/__fake/image.png?i=0` }, { url: `${up.url}/__fake/image.png?i=1` }]);
    expect(out.usage).toEqual({ inputTokens: 0, outputTokens: 0, images: 2 });
    const req = up.requests[0]!;
    expect(req).toMatchObject({ path: '/v1/ideogram-v3/generate', apiKey: 'ideo-secret-key' });
    expect(String(req.body)).toContain('name="resolution"');
    expect(ideogramProvider.adapter.chat).toBeUndefined();
  });

  it('errors keep their status (recovered from the message of @aigne/core fetch errors)', async () => {
    up.enqueue({ status: 401 });
    const err = await ideogramProvider.adapter.image!({ model: 'ideogram-v3', prompt: 'x' }, target(), { signal: signal() }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 401, isAuthFailure: true });
    expect(err.message).not.toContain('ideo-secret-key');
  });

  it('an aborted call rejects at once (the class cannot cancel its request)', async () => {
    // The upstream would answer in a minute: only the abort can end the call within the test's time.
    up.enqueue({ delayMs: 60_000 });
    const controller = new AbortController();
    const call = ideogramProvider.adapter.image!({ model: 'ideogram-v3', prompt: 'x' }, target(), { signal: controller.signal }).catch((e) => e);
    await up.waitFor((r) => r.protocol === 'ideogram', 5000);
    controller.abort();
    expect(await call).toMatchObject({ kind: 'aborted' });
  });
});

describe('doubao images', () => {
  it('generates b64 images through DoubaoImageModel', async () => {
    const out = await doubaoProvider.adapter.image!(
      { model: 'doubao-seedream-4-0-250828', prompt: 'a panda', size: '1024x1024' },
      { baseUrl: `${up.url}/api/v3`, credential: { api_key: 'ark-key' } },
      { signal: signal() },
    );
    expect(out.images).toHaveLength(1);
    expect(Buffer.from(out.images[0]!.b64Json!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(up.requests[0]).toMatchObject({ path: '/api/v3/images/generations', apiKey: 'ark-key' });
    expect(up.requests[0]!.body).toMatchObject({ prompt: 'a panda', size: '1024x1024', response_format: 'b64_json' });
  });
});
