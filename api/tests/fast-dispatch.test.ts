/**
 * The routes the fast dispatcher serves answer exactly as the Express stack does: the same
 * statuses, error bodies and headers for good and bad requests. The generic stack is reached with
 * a trailing slash (non-strict routing), which the hot path does not take.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const HOT = '/api/v1/chat/completions';
const GENERIC = '/api/v1/chat/completions/';

describe('hot path parity with the generic stack', () => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness({ MAX_BODY_SIZE: '4kb' });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-key-hot-path-0000001'], rates: [{ model: 'gpt-4o-mini' }] });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'hot path' })).body.key;
  });
  afterAll(() => h.close());

  const send = (path: string, body: string | undefined, headers: Record<string, string>) => {
    let r = h.t.request.post(path);
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    return body === undefined ? r : r.send(body);
  };

  interface Case {
    name: string;
    body?: string;
    headers: () => Record<string, string>;
    status: number;
  }
  /** The case sent to both paths: the same status, content type and call id header on each. */
  const sendBoth = async (hotPath: string, genericPath: string, c: Case) => {
    const hot = await send(hotPath, c.body, c.headers());
    const generic = await send(genericPath, c.body, c.headers());
    expect(hot.status).toBe(c.status);
    expect(generic.status).toBe(c.status);
    expect(hot.headers['content-type']).toBe(generic.headers['content-type']);
    expect(Boolean(hot.headers['x-aigne-hub-model-call-id'])).toBe(Boolean(generic.headers['x-aigne-hub-model-call-id']));
    return { hot, generic };
  };

  const json = { 'content-type': 'application/json' };
  const cases: Case[] = [
    { name: 'a good request', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi there' }] }), headers: () => ({ ...json, ...bearer(key) }), status: 200 },
    { name: 'charset=utf-8', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), headers: () => ({ 'content-type': 'application/json; charset=UTF-8', ...bearer(key) }), status: 200 },
    { name: 'malformed JSON', body: '{"model": ', headers: () => ({ ...json, ...bearer(key) }), status: 400 },
    { name: 'a JSON string', body: '"gpt-4o-mini"', headers: () => ({ ...json, ...bearer(key) }), status: 400 },
    { name: 'a JSON array', body: '[1]', headers: () => ({ ...json, ...bearer(key) }), status: 400 },
    { name: 'an empty body', body: '', headers: () => ({ ...json, 'content-length': '0', ...bearer(key) }), status: 400 },
    { name: 'a missing field', body: JSON.stringify({ model: 'gpt-4o-mini' }), headers: () => ({ ...json, ...bearer(key) }), status: 400 },
    { name: 'no key', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), headers: () => json, status: 401 },
    { name: 'an unknown key', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), headers: () => ({ ...json, ...bearer('aigne_unknown') }), status: 401 },
    { name: 'a body over MAX_BODY_SIZE', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), headers: () => ({ ...json, ...bearer(key) }), status: 413 },
    { name: 'a model no provider serves', body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }), headers: () => ({ ...json, ...bearer(key) }), status: 404 },
    { name: 'text/plain', body: '{}', headers: () => ({ 'content-type': 'text/plain', ...bearer(key) }), status: 400 },
    { name: 'a latin1 charset', body: '{}', headers: () => ({ 'content-type': 'application/json; charset=latin1', ...bearer(key) }), status: 400 },
  ];

  for (const c of cases) {
    it(`answers ${c.name} like the stack`, async () => {
      const { hot, generic } = await sendBoth(HOT, GENERIC, c);
      expect(hot.headers['access-control-allow-origin']).toBe(generic.headers['access-control-allow-origin']);
      expect(hot.headers['access-control-expose-headers']).toBe(generic.headers['access-control-expose-headers']);
      expect(hot.headers['x-request-id']).toBeTruthy();
      if (c.status === 200) {
        expect(hot.body.choices).toEqual(generic.body.choices);
        expect(hot.body.usage).toEqual(generic.body.usage);
      } else {
        expect(hot.body).toEqual(generic.body);
      }
    });
  }

  it('streams like the stack', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'one two three' }] });
    const strip = (text: string) => text.replace(/"id":"[^"]+"/g, '').replace(/"created":\d+/g, '');
    const hot = await send(HOT, body, { ...json, ...bearer(key) });
    const generic = await send(GENERIC, body, { ...json, ...bearer(key) });
    expect(hot.headers['content-type']).toBe(generic.headers['content-type']);
    expect(strip(hot.text)).toBe(strip(generic.text));
    expect(hot.text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('writes the same access log line', async () => {
    const res = await send(HOT, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'log me' }] }), { ...json, ...bearer(key), 'x-request-id': 'hot-path-log-check' });
    expect(res.status).toBe(200);
    // The line is written once the response has finished.
    const line = await waitFor(async () => h.t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'hot-path-log-check'));
    expect(line).toMatchObject({ msg: 'request', method: 'POST', path: HOT, status: 200, modelCallId: res.headers['x-aigne-hub-model-call-id'] });
    expect(typeof line!.ms).toBe('number');
    expect(typeof line!.user).toBe('string');
  });

  describe('POST /api/v2/chat (the AIGNE transport protocol)', () => {
    const V2_HOT = '/api/v2/chat';
    const V2_GENERIC = '/api/v2/chat/';
    const input = (streaming: boolean, model = 'gpt-4o-mini') =>
      JSON.stringify({ agent: '$CHAT_MODEL', input: { messages: [{ role: 'user', content: 'one two three' }], modelOptions: { model } }, options: { streaming } });
    const v2Cases: Case[] = [
      { name: 'a whole answer', body: input(false), headers: () => ({ ...json, ...bearer(key) }), status: 200 },
      { name: 'a streamed answer', body: input(true), headers: () => ({ ...json, ...bearer(key) }), status: 200 },
      { name: 'malformed JSON', body: '{"agent": ', headers: () => ({ ...json, ...bearer(key) }), status: 400 },
      { name: 'another agent', body: JSON.stringify({ agent: 'writer', input: {} }), headers: () => ({ ...json, ...bearer(key) }), status: 400 },
      { name: 'no key', body: input(false), headers: () => json, status: 401 },
      { name: 'a model no provider serves', body: input(false, 'anthropic/claude-sonnet-4-5'), headers: () => ({ ...json, ...bearer(key) }), status: 404 },
    ];
    for (const c of v2Cases) {
      it(`answers ${c.name} like the stack`, async () => {
        const { hot, generic } = await sendBoth(V2_HOT, V2_GENERIC, c);
        expect(hot.text).toBe(generic.text);
        if (c.status === 200) {
          expect(hot.headers['x-aigne-hub-model-call-id']).toBeTruthy();
          expect(hot.text).toContain('"outputTokens"');
        }
      });
    }
  });

  it('answers a CORS preflight as the cors package does', async () => {
    const res = await h.t.request
      .options(HOT)
      .set('origin', 'https://app.example')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'x-aigne-hub-model-call-id,x-request-id,retry-after,server-timing',
      'content-length': '0',
    });
  });
});
