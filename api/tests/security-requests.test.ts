/**
 * What a hostile member can send: image URLs aimed at the hub's own network (a canary server on
 * every loopback address must receive nothing), requests that would make a credential look broken,
 * and bodies that would keep the hub busy. Findings 1, 2 and 4 of the security review.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const KEYS = ['gemini-key-first-0000000001', 'gemini-key-second-000000002'];

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

describe('requests a hostile member can send', () => {
  let h: GatewayHarness;
  let member: string;
  let google: { id: string; credentialIds: string[] };
  const canaryHits: string[] = [];
  const imageHits: string[] = [];
  let canary: http.Server;
  let images: http.Server;
  let canaryPort = 0;
  let imageOrigin = '';

  beforeAll(async () => {
    // The canary listens on every address, IPv4 and IPv6: whatever form of loopback a URL uses reaches it.
    canary = http.createServer((req, res) => {
      canaryHits.push(req.url ?? '');
      res.end('secret');
    });
    canaryPort = await listen(canary, '::');
    // An image store the operator trusts although it is not public (IMAGE_FETCH_ALLOW_HOSTS).
    images = http.createServer((req, res) => {
      imageHits.push(req.url ?? '');
      if (req.url === '/cat.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      if (req.url === '/forbidden.png') return res.writeHead(403).end('no');
      if (req.url === '/redirect.png') return res.writeHead(302, { location: `http://127.0.0.1:${canaryPort}/meta-data` }).end();
      if (req.url === '/huge.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(8 * 1024, 1);
        let sent = 0;
        const pump = () => {
          while (sent < 64 && res.write(chunk)) sent++;
          if (sent < 64) res.once('drain', pump);
          else res.end();
        };
        return pump();
      }
      res.writeHead(404).end();
    });
    imageOrigin = `http://127.0.0.2:${await listen(images, '127.0.0.2')}`;
    h = await startGatewayHarness({ IMAGE_FETCH_ALLOW_HOSTS: '127.0.0.2', MAX_IMAGE_BYTES: '16kb' });
    google = await addProvider(h.t, { name: 'google', baseUrl: h.upstream.url, keys: KEYS, rates: [{ model: 'gemini-2.5-flash' }] });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-security-000001'], rates: [{ model: 'gpt-4o-mini' }] });
    member = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'member' })).body.key;
  });
  afterAll(async () => {
    await h.close();
    canary.closeAllConnections();
    images.closeAllConnections();
    await Promise.all([new Promise((r) => canary.close(r)), new Promise((r) => images.close(r))]);
  });
  afterEach(async () => {
    h.upstream.reset();
    imageHits.length = 0;
  });

  const chatWithImages = (urls: string[], model = 'google/gemini-2.5-flash') =>
    h.t.request
      .post('/api/v1/chat/completions')
      .set(bearer(member))
      .send({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, ...urls.map((url) => ({ type: 'image_url', image_url: { url } }))] }] });

  const credentialStates = async () => {
    const providers = (await h.t.request.get('/api/ai-providers').set(bearer(h.t.adminKey))).body as { id: string; credentials: { id: string; status: string; cooldownUntil?: string | null }[] }[];
    return providers.find((p) => p.id === google.id)!.credentials.map((c) => ({ status: c.status, coolingDown: Boolean(c.cooldownUntil && Date.parse(c.cooldownUntil) > Date.now()) }));
  };

  describe('image URLs aimed at the hub\'s network', () => {
    const aimed = () => [
      ['IPv4-mapped IPv6 loopback, in hex', `http://[::ffff:7f00:1]:${canaryPort}/x.png`],
      ['the metadata address, IPv4-mapped', 'http://[::ffff:a9fe:a9fe]/latest/meta-data'],
      ['NAT64 loopback', `http://[64:ff9b::7f00:1]:${canaryPort}/x.png`],
      ['IPv6 loopback', `http://[::1]:${canaryPort}/x.png`],
      ['localhost', `http://localhost:${canaryPort}/x.png`],
      ['IPv4 loopback', `http://127.0.0.1:${canaryPort}/x.png`],
      ['a redirect from a trusted host to loopback', `${imageOrigin}/redirect.png`],
    ];

    it.each([0, 1, 2, 3, 4, 5, 6])('refuses case %i without fetching it or echoing it', async (i) => {
      const [, url] = aimed()[i]!;
      for (const path of ['/api/v1/chat/completions', '/api/v2/chat']) {
        const body =
          path === '/api/v2/chat'
            ? { agent: '$CHAT_MODEL', input: { messages: [{ role: 'user', content: [{ type: 'url', url }] }], modelOptions: { model: 'google/gemini-2.5-flash' } } }
            : { model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] };
        const res = await h.t.request.post(path).set(bearer(member)).send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_image_url');
        expect(res.text).not.toContain(String(canaryPort));
        expect(res.text).not.toContain('a9fe');
      }
      expect(canaryHits).toEqual([]);
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('checks every URL of a message, the 33rd as the first', async () => {
      const urls = [...Array.from({ length: 32 }, () => `${imageOrigin}/cat.png`), `http://[::ffff:7f00:1]:${canaryPort}/33rd.png`];
      const res = await chatWithImages(urls);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Image 33 /);
      expect(canaryHits).toEqual([]);
    });

    it('sends a trusted image as bytes, downloaded once for every attempt of the call', async () => {
      h.upstream.enqueue({ status: 500, match: { path: 'GenerateContent' } });
      const res = await chatWithImages([`${imageOrigin}/cat.png`]);
      expect(res.status).toBe(200);
      const tried = h.upstream.requests.filter((r) => r.path.includes('GenerateContent'));
      expect(tried).toHaveLength(2);
      expect(JSON.stringify(tried[1]!.body)).toContain(PNG.toString('base64'));
      expect(imageHits).toEqual(['/cat.png']);
    });

    it('refuses an image larger than MAX_IMAGE_BYTES, downloading no more of it', async () => {
      const res = await chatWithImages([`${imageOrigin}/huge.png`]);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/larger than 16384 bytes/);
      expect(imageHits).toEqual(['/huge.png']);
      expect(h.upstream.requests).toHaveLength(0);
    });
  });

  describe('a caller cannot take a credential out of service', () => {
    it('an image that answers 403 is the caller\'s 400, and every credential stays in service', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await chatWithImages([`${imageOrigin}/forbidden.png`]);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_image_url');
      }
      expect(await credentialStates()).toEqual(KEYS.map(() => ({ status: 'active', coolingDown: false })));
      expect((await chatWithImages([])).status).toBe(200);
    });

    it('a body nested too deeply is refused as the caller\'s, and another member\'s calls are answered meanwhile', async () => {
      const deep = `${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`;
      const text = `{"model":"google/gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","deep":${deep}}}}]}`;
      const other = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'other member' });
      for (let i = 0; i < 10; i++) {
        const [hostile, innocent] = await Promise.all([
          h.t.request.post('/api/v1/chat/completions').set(bearer(member)).set('content-type', 'application/json').send(text),
          h.t.request.post('/api/v1/chat/completions').set(bearer(other.body.key)).send({ model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: 'still there?' }] }),
        ]);
        expect(hostile.status).toBe(400);
        expect(hostile.body.error.code).toBe('request_too_complex');
        expect(innocent.status).toBe(200);
      }
      expect(await credentialStates()).toEqual(KEYS.map(() => ({ status: 'active', coolingDown: false })));
    });
  });

  describe('bounded work per request', () => {
    it('refuses 750,000 content parts from the body\'s shape, while the server keeps answering', async () => {
      const parts = `[${Array.from({ length: 750_000 }, () => '{"type":"x"}').join(',')}]`;
      const text = `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":${parts}}]}`;
      const big = h.t.request.post('/api/v1/chat/completions').set(bearer(member)).set('content-type', 'application/json').send(text);
      const health = await h.t.request.get('/api/health');
      const res = await big;
      expect(health.status).toBe(200);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('request_too_complex');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('refuses content parts of a type it does not know', async () => {
      const res = await h.t.request
        .post('/api/v1/chat/completions')
        .set(bearer(member))
        .send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'x' }] }] });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/messages\.0\.content/);
      const v2 = await h.t.request
        .post('/api/v2/chat')
        .set(bearer(member))
        .send({ agent: '$CHAT_MODEL', input: { messages: [{ role: 'user', content: [{ type: 'local', path: '/etc/passwd' }] }], modelOptions: { model: 'openai/gpt-4o-mini' } } });
      expect(v2.status).toBe(400);
    });
  });
});
