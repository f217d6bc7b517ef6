/**
 * Notifications as signed webhooks: a receiver in the test verifies each body's HMAC-SHA256 with
 * the shared secret, makes the hub retry (503, then 200), and tries to redirect it to another
 * private address, which the hub refuses. Credits events come from real calls and grants.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addProvider, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const SECRET = 'webhook-secret-for-the-test-0123456789';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: Record<string, any>;
}

async function startReceiver(host: string, answer: (req: Received, n: number) => { status: number; location?: string }) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw || '{}') };
      received.push(r);
      const { status, location } = answer(r, received.length);
      res.writeHead(status, location ? { location } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    received,
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does: HMAC the exact bytes it got, compare in constant time. */
function verify(r: Received): boolean {
  const header = String(r.headers['x-aigne-hub-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`;
  return header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}

let h: GatewayHarness | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const close of closers.splice(0)) await close();
});

describe('signed webhooks', () => {
  it('signs every event, retries with backoff, and tells a low balance once', async () => {
    let failFirst = 2;
    const receiver = await startReceiver('127.0.0.1', () => (failFirst-- > 0 ? { status: 503 } : { status: 200 }));
    closers.push(receiver.close);
    h = await startGatewayHarness({
      CREDIT_BASED_BILLING_ENABLED: 'true',
      LOW_BALANCE_CREDITS: '2',
      NOTIFY_WEBHOOK_URL: `${receiver.url}/hooks/aigne`,
      NOTIFY_WEBHOOK_SECRET: SECRET,
    });
    const { t, upstream } = h;
    const admin = bearer(t.adminKey);
    await addProvider(t, { name: 'openai', baseUrl: `${upstream.url}/v1`, keys: ['sk-webhook-test-000001'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.1', outputRate: '0.1' }] });
    const key = await t.request.post('/api/access-keys').set(admin).send({ name: 'ada', role: 'member', userDid: 'user_ada' });
    const grant = await t.request.post('/api/credits/grants').set(admin).send({ userDid: 'user_ada', amount: '3', reason: 'welcome' });
    expect(grant.status).toBe(201);

    // 503, 503, then 200: delivered on the third attempt (pauses of 1 s and 2 s between).
    await waitFor(async () => receiver.received.length >= 3, 15_000);
    await t.hub.notifications.events.settled();
    expect(receiver.received.every(verify)).toBe(true);
    const first = receiver.received[0]!;
    expect(first.path).toBe('/hooks/aigne');
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-aigne-hub-event']).toBe('credits.granted');
    expect(first.body).toMatchObject({ type: 'credits.granted', userDid: 'user_ada', data: { amount: '3', balance: '3', reason: 'welcome' } });
    expect(new Set(receiver.received.map((r) => r.body.id)).size).toBe(1);
    const kept = (await t.request.get('/api/notifications').set(admin)).body.data;
    expect(kept[0].deliveries.webhook).toMatchObject({ status: 'sent', attempts: 3 });

    // Calls spend the balance: 2 words in + 3 words out ("Echo: hi there") at 0.1 = 0.5 credits each:
    // 2.5, 2, then 1.5 (under 2: told) and 1 (still under: not told again).
    const call = () => t.request.post('/api/v1/chat/completions').set(bearer(key.body.key)).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi there' }], max_tokens: 5 });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    await t.hub.notifications.events.settled();
    expect(receiver.received.filter((r) => r.body.type === 'credits.low')).toHaveLength(1);
    expect((await call()).status).toBe(200);
    await t.hub.notifications.events.settled();
    const low = receiver.received.filter((r) => r.body.type === 'credits.low');
    expect(low).toHaveLength(1);
    expect(verify(low[0]!)).toBe(true);
    expect(low[0]!.body.data).toMatchObject({ userDid: 'user_ada', balance: '1.5', threshold: '2' });
    // Nothing secret in any payload: neither the webhook secret nor keys.
    for (const r of receiver.received) {
      expect(r.raw).not.toContain(SECRET);
      expect(r.raw).not.toContain('sk-webhook');
      expect(r.raw).not.toContain(key.body.key);
    }

    // A tampered body no longer matches its signature.
    expect(verify({ ...low[0]!, raw: low[0]!.raw.replace('1.5', '9.5') })).toBe(false);
  });

  it('follows a redirect on its own host, and refuses one to another private address', async () => {
    const other = await startReceiver('127.0.0.2', () => ({ status: 200 }));
    closers.push(other.close);
    const receiver = await startReceiver('127.0.0.1', (r) => {
      if (r.path === '/first') return { status: 307, location: '/second' };
      if (r.path === '/second') return { status: 307, location: `${other.url}/stolen` };
      return { status: 200 };
    });
    closers.push(receiver.close);
    h = await startGatewayHarness({ CREDIT_BASED_BILLING_ENABLED: 'true', NOTIFY_WEBHOOK_URL: `${receiver.url}/first`, NOTIFY_WEBHOOK_SECRET: SECRET });
    const { t } = h;
    const admin = bearer(t.adminKey);
    await t.request.post('/api/access-keys').set(admin).send({ name: 'bob', role: 'member', userDid: 'user_bob' });
    expect((await t.request.post('/api/credits/grants').set(admin).send({ userDid: 'user_bob', amount: '1' })).status).toBe(201);
    await t.hub.notifications.events.settled();
    expect(receiver.received.map((r) => r.path)).toEqual(['/first', '/second']);
    expect(other.received).toEqual([]);
    const kept = (await t.request.get('/api/notifications').set(admin)).body.data;
    expect(kept[0].deliveries.webhook).toMatchObject({ status: 'failed', attempts: 1 });
    expect(kept[0].deliveries.webhook.error).toMatch(/non-public address/);
  });
});
