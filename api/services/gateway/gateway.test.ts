/**
 * The gateway core's own duties, in-process against the fake upstream: credential health saved off
 * the request path (disabled, cooling down), the re-check of a disabled credential, the usage counts
 * flushed on close, and listeners of settled calls that throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chat, startModelCallCore, USER, type ModelCallCore } from '../../tests/helpers/model-call-fixture.js';
import { tempStores, type TempStore } from '../../tests/helpers/temp-store.js';
import type { GatewayDeps } from './gateway.js';

const openStore = tempStores();
const started: ModelCallCore[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.close();
});

async function start(gateway: Partial<GatewayDeps> = {}) {
  const store = await openStore();
  const c = await startModelCallCore(store, { gateway });
  started.push(c);
  const providerId = await c.addProvider({ keys: ['sk-a', 'sk-b'] });
  await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
  return { c, store, providerId };
}

const credential = async (store: TempStore, name: string) => (await store.models.AiCredential.findOne({ where: { name }, raw: true })) as unknown as Record<string, any>;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = performance.now() + 5000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (performance.now() > end) throw new Error(`timed out waiting: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('gateway core', () => {
  it('saves a refused credential as disabled, tells the listener, and re-checks it later', async () => {
    const disabled: unknown[][] = [];
    const rechecked: unknown[][] = [];
    const { c, store, providerId } = await start({
      onCredentialDisabled: (...args) => void disabled.push(args),
      recheckCredential: async (...args) => (rechecked.push(args), true),
      recheckAfterMs: 30,
    });
    c.upstream.enqueue({ status: 401, match: { apiKey: 'sk-a' } });
    c.upstream.enqueue({ status: 401, match: { apiKey: 'sk-b' } });
    expect((await c.post(chat('hi'))).status).not.toBe(200);
    const a = await until(() => credential(store, 'sk-a'), (r) => r.status === 'disabled');
    expect(a).toMatchObject({ status: 'disabled', disabledReason: 'The provider rejected this credential (HTTP 401)' });
    expect(a.lastErrorAt).not.toBeNull();
    expect(disabled).toContainEqual([a.id, providerId, 'The provider rejected this credential (HTTP 401)']);
    expect(c.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'credential disabled', credentialId: a.id, provider: 'openai' }));
    await until(async () => rechecked, (r) => r.length === 2);
    expect(rechecked).toContainEqual([providerId, a.id]);
    await until(async () => c.logs, (l) => l.some((x) => x.msg === 'credential re-check' && x.credentialId === a.id && x.ok === true));
  });

  it('saves a credential cooling down after a 429, and leaves a working one active', async () => {
    const { c, store } = await start();
    c.upstream.enqueue({ status: 429, headers: { 'retry-after': '60' }, match: { apiKey: 'sk-a' } });
    c.upstream.enqueue({ status: 429, headers: { 'retry-after': '60' }, match: { apiKey: 'sk-b' } });
    await c.post(chat('hi'));
    const a = await until(() => credential(store, 'sk-a'), (r) => r.cooldownUntil !== null);
    expect(a).toMatchObject({ status: 'active', disabledReason: null });
    expect(new Date(a.cooldownUntil).getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(a.lastErrorAt).not.toBeNull();
    expect(c.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'credential cooling down', credentialId: a.id, provider: 'openai' }));
  });

  it("counts each credential's successful calls and saves the counts on close; a throwing listener is logged and the others still told", async () => {
    const { c, store } = await start();
    const told: string[] = [];
    c.gateway.onCallSettled(() => {
      throw new Error('listener broke');
    });
    c.gateway.onCallSettled((record) => void told.push(record.id));
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await c.post(chat(`hi ${i}`))).status).toBe(200);
    c.upstream.enqueue({ status: 400 });
    expect((await c.post(chat('refused'))).status).toBe(400);
    await c.gateway.close();
    const rows = [await credential(store, 'sk-a'), await credential(store, 'sk-b')];
    expect(rows.reduce((n, r) => n + r.usageCount, 0)).toBe(3);
    for (const r of rows) if (r.usageCount) expect(new Date(r.lastUsedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(told).toHaveLength(4);
    expect(c.logs.filter((l) => l.msg === 'call listener failed')).toHaveLength(4);
  });

  it('admits a request with no limits configured and answers no rate headers', async () => {
    const { c } = await start();
    let headers: Record<string, string> | undefined;
    c.handle(async (req, res, gateway) => {
      headers = await gateway.admitRequest(req, 'gpt-4o-mini');
      res.json({ ok: true });
    });
    expect((await c.post({})).status).toBe(200);
    expect(headers).toEqual({});
  });
});
