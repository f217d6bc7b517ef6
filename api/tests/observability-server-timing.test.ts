/** The Server-Timing header on model calls (ENABLE_SERVER_TIMING): auth, route and upstream entries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

function entries(header: string | null): Record<string, { dur: number; desc?: string }> {
  const out: Record<string, { dur: number; desc?: string }> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const p = Object.fromEntries(params.map((x) => x.split('=') as [string, string]));
    out[name] = { dur: Number(p.dur), desc: p.desc?.replace(/"/g, '') };
  }
  return out;
}

async function chat(h: GatewayHarness, body: Record<string, unknown>) {
  const res = await fetch(`${h.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(h.t.adminKey) },
    body: JSON.stringify(body),
  });
  await res.text();
  return res;
}

async function hubWith(env: Record<string, string>): Promise<GatewayHarness> {
  const h = await startGatewayHarness({ TRACING_ENABLED: 'false', ...env });
  await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-timing-key-000000000000001'], rates: [{ model: 'gpt-4o-mini' }] });
  return h;
}

// One hub at a time: the store's model classes bind to one database per process.
describe('Server-Timing when enabled', () => {
  let on: GatewayHarness;
  beforeAll(async () => {
    on = await hubWith({ ENABLE_SERVER_TIMING: 'true' });
  });
  afterAll(() => on?.close());

  it('names auth, route and upstream (with the provider) on a JSON answer and on a stream', async () => {
    for (const stream of [false, true]) {
      const res = await chat(on, { model: 'openai/gpt-4o-mini', stream, messages: [{ role: 'user', content: 'timing' }] });
      expect(res.status).toBe(200);
      const timing = entries(res.headers.get('server-timing'));
      expect(Object.keys(timing)).toEqual(['auth', 'route', 'upstream']);
      for (const e of Object.values(timing)) expect(Number.isFinite(e.dur) && e.dur >= 0).toBe(true);
      expect(timing.upstream!.desc).toBe('openai');
    }
  });

  it('gives what it knows on a call that failed before any upstream', async () => {
    const res = await chat(on, { model: 'nosuch/model', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(404);
    expect(Object.keys(entries(res.headers.get('server-timing')))).toEqual(['auth']);
  });

});

describe('Server-Timing by default', () => {
  let off: GatewayHarness;
  beforeAll(async () => {
    off = await hubWith({});
  });
  afterAll(() => off?.close());

  it('is absent', async () => {
    const res = await chat(off, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'timing' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toBeNull();
  });
});
