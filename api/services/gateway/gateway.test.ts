/**
 * The gateway core's own duties, in-process against the fake upstream: credential health saved off
 * the request path (disabled, cooling down), the re-check of a disabled credential, the usage counts
 * flushed on close, and listeners of settled calls that throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chat, startModelCallCore, USER, type ModelCallCore } from '../../tests/helpers/model-call-fixture.js';
import { tempStores, type TempStore } from '../../tests/helpers/temp-store.js';
import { waitFor } from '../../tests/helpers/wait-for.js';
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

/** `read()`'s value once `ok` holds for it. */
const until = <T>(read: () => Promise<T>, ok: (v: T) => boolean, withinMs?: number) =>
  waitFor(async () => {
    const v = await read();
    return ok(v) ? { v } : undefined;
  }, withinMs).then((found) => found.v);

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
    expect(c.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'credential disabled', credentialId: a.id, provider: 'openai', reason: 'The provider rejected this credential (HTTP 401)' }));
    expect(c.logs.filter((l) => l.msg === 'credential cooling down')).toEqual([]);
    await until(async () => rechecked, (r) => r.length === 2);
    expect(rechecked).toContainEqual([providerId, a.id]);
    await until(async () => c.logs, (l) => l.some((x) => x.msg === 'credential re-check' && x.credentialId === a.id && x.ok === true));
  });

  it('saves a credential cooling down after a 429, and leaves a working one active', async () => {
    const disabled: unknown[] = [];
    const { c, store } = await start({ onCredentialDisabled: (...args) => void disabled.push(args) });
    c.upstream.enqueue({ status: 429, headers: { 'retry-after': '60' }, match: { apiKey: 'sk-a' } });
    c.upstream.enqueue({ status: 429, headers: { 'retry-after': '60' }, match: { apiKey: 'sk-b' } });
    await c.post(chat('hi'));
    const a = await until(() => credential(store, 'sk-a'), (r) => r.cooldownUntil !== null);
    expect(a).toMatchObject({ status: 'active', disabledReason: null });
    expect(new Date(a.cooldownUntil).getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(a.lastErrorAt).not.toBeNull();
    expect(c.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'credential cooling down', credentialId: a.id, provider: 'openai', until: new Date(a.cooldownUntil).toISOString() }));
    expect(c.logs.filter((l) => l.msg === 'credential disabled')).toEqual([]);
    expect(disabled).toEqual([]);
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
    expect(c.logs.find((l) => l.msg === 'call listener failed')).toMatchObject({ level: 'warn', err: { message: 'listener broke' } });
  });

  it("saves a retryable failure's count, clears it on the next success keeping the error's time, and saves nothing for a fresh credential's client error", async () => {
    const { c, store } = await start();
    // Round-robin alternates the two keys: sk-a's 400 is answered as it is, sk-b's 500 fails over to sk-a.
    c.upstream.enqueue({ status: 400, match: { apiKey: 'sk-a' } });
    c.upstream.enqueue({ status: 500, match: { apiKey: 'sk-b' } });
    expect((await c.post(chat('one'))).status).toBe(400);
    expect((await c.post(chat('two'))).status).toBe(200);
    const failed = await until(() => credential(store, 'sk-b'), (r) => r.failureCount === 1);
    expect(failed).toMatchObject({ status: 'active', disabledReason: null, cooldownUntil: null });
    expect(failed.lastErrorAt).not.toBeNull();
    // The 400 came first, on a credential with no failures: nothing of it was saved.
    expect(await credential(store, 'sk-a')).toMatchObject({ failureCount: 0, lastErrorAt: null });
    // sk-b's next call succeeds: its count is cleared, the time of its last error kept.
    await until(
      async () => (await c.post(chat('again'))).status === 200 && (await credential(store, 'sk-b')),
      (r) => r && r.failureCount === 0,
    );
    expect(await credential(store, 'sk-b')).toMatchObject({ status: 'active', cooldownUntil: null, lastErrorAt: failed.lastErrorAt });
    expect(c.logs.filter((l) => l.msg === 'credential disabled' || l.msg === 'credential cooling down')).toEqual([]);
  });

  it('re-checks a disabled credential again while it still fails, logs a re-check that throws, and schedules one re-check a credential', async () => {
    // sk-a's re-check throws (logged, not made again); sk-b's answers false (made again), then true.
    const answers: Record<string, (boolean | 'throw')[]> = { 'sk-a': ['throw'], 'sk-b': [false, true] };
    const names = new Map<string, string>();
    const rechecked: string[] = [];
    const { c, store } = await start({
      recheckCredential: async (_provider, id) => {
        const name = names.get(id)!;
        rechecked.push(name);
        const next = answers[name]!.shift();
        if (next === 'throw') throw new Error('re-check broke');
        return next === true;
      },
      recheckAfterMs: 30,
    });
    const a = await credential(store, 'sk-a');
    const b = await credential(store, 'sk-b');
    names.set(a.id, 'sk-a').set(b.id, 'sk-b');
    // Both calls are under way on sk-a when it is refused: it is disabled twice, re-checked once.
    c.upstream.enqueue({ status: 401, delayMs: 1000, times: 2, match: { apiKey: 'sk-a' } });
    c.upstream.enqueue({ status: 401, match: { apiKey: 'sk-b' } });
    const calls = await Promise.all([c.post(chat('one')), c.post(chat('two'))]);
    expect(calls.map((r) => r.status)).not.toContain(200);
    expect(c.upstream.requests.filter((r) => r.apiKey === 'sk-a')).toHaveLength(2);
    await until(async () => c.logs, (l) => l.some((x) => x.msg === 'credential re-check' && x.ok === true));
    await until(async () => c.logs, (l) => l.some((x) => x.msg === 'credential re-check failed'));
    // A timer set now, with their delay, fires after any re-check scheduled before it.
    await new Promise((r) => setTimeout(r, 30));
    expect(rechecked.sort()).toEqual(['sk-a', 'sk-b', 'sk-b']);
    expect(c.logs.filter((x) => x.msg === 'credential re-check').map((x) => [x.credentialId, x.ok])).toEqual([
      [b.id, false],
      [b.id, true],
    ]);
    expect(c.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'credential re-check failed', credentialId: a.id }));
  });

  it("neither re-checks nor reports a credential from the environment, and stops its re-checks on close", async () => {
    const disabled: unknown[] = [];
    const rechecked: unknown[] = [];
    const { c, providerId } = await start({ onCredentialDisabled: (...args) => void disabled.push(args), recheckCredential: async (...args) => (rechecked.push(args), true), recheckAfterMs: 30 });
    const candidate = { provider: { id: providerId, name: 'openai' } } as never;
    const change = (id: string) => ({ id, kind: 'disabled' as const, disabled: true, disabledReason: 'refused', cooldownUntil: 0, failureCount: 0 });
    c.gateway.failoverDeps.onCredentialChange(change('env:openai'), candidate);
    c.gateway.failoverDeps.onCredentialChange(change('c-stored'), candidate);
    expect(disabled).toEqual([['c-stored', providerId, 'refused']]);
    // A timer set after the gateway's re-checks, with their delay, fires after them.
    await new Promise((r) => setTimeout(r, 30));
    expect(rechecked).toEqual([[providerId, 'c-stored']]);
    c.gateway.failoverDeps.onCredentialChange({ ...change('c-unexplained'), disabledReason: null }, candidate);
    expect(disabled).toContainEqual(['c-unexplained', providerId, 'refused by the provider']);
    await c.gateway.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(rechecked).toEqual([[providerId, 'c-stored']]);
  });

  it('re-checks a disabled credential only after its default delay (minutes) when none is configured', async () => {
    const rechecked: unknown[] = [];
    const { c, providerId } = await start({ recheckCredential: async (...args) => (rechecked.push(args), true) });
    c.gateway.failoverDeps.onCredentialChange({ id: 'c-stored', kind: 'disabled', disabled: true, disabledReason: 'refused', cooldownUntil: 0, failureCount: 0 }, { provider: { id: providerId, name: 'openai' } } as never);
    // A timer of 50 ms set after it fires first: the re-check was not made at once.
    await new Promise((r) => setTimeout(r, 50));
    expect(rechecked).toEqual([]);
  });

  it('saves the usage counts on its timer, each successful call counted once', async () => {
    const { c, store } = await start({ statsFlushMs: 20 });
    await c.addProvider({ name: 'deepseek', rank: 200, keys: ['sk-spare'] });
    for (let i = 0; i < 4; i++) expect((await c.post(chat(`hi ${i}`))).status).toBe(200);
    const total = async () => (await credential(store, 'sk-a')).usageCount + (await credential(store, 'sk-b')).usageCount;
    // Saved within 2 s by a 20 ms timer (the default 5 s timer would not have fired yet).
    await until(total, (n) => n >= 4, 2000);
    // Flushed again on its timer and on close: nothing counted twice.
    await c.gateway.close();
    expect(await total()).toBe(4);
    expect(await credential(store, 'sk-spare')).toMatchObject({ usageCount: 0, lastUsedAt: null });
  });

  it('logs a credential state the database would not take, and closes with usage counts it could not save', async () => {
    const { c, store } = await start();
    expect((await c.post(chat('hi'))).status).toBe(200);
    const a = await credential(store, 'sk-a');
    await store.sequelize.query('ALTER TABLE ai_credentials RENAME TO ai_credentials_away');
    try {
      const candidate = { provider: { id: a.providerId, name: 'openai' } } as never;
      c.gateway.failoverDeps.onCredentialChange({ id: a.id, kind: 'failure', disabled: false, disabledReason: null, cooldownUntil: 0, failureCount: 1 }, candidate);
      const logged = await until(async () => c.logs, (l) => l.some((x) => x.msg === 'saving credential state failed'));
      expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'saving credential state failed', credentialId: a.id }));
      await c.gateway.close();
    } finally {
      await store.sequelize.query('ALTER TABLE ai_credentials_away RENAME TO ai_credentials');
    }
  });

  it("refuses an image URL of a host that is not public unless the hub's image downloads allow it", async () => {
    const { c } = await start();
    const image = (url: string) => chat('hi', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
    const refused = await c.post(image('http://127.0.0.1:9/cat.png'));
    expect(refused.status).toBe(400);
    expect(await c.gateway.checkImageUrls([])).toBeUndefined();
    const { c: allowing } = await start({ imageFetch: { allowHosts: ['127.0.0.1'], maxBytes: 1_000_000, timeoutMs: 5_000 } });
    await expect(allowing.gateway.checkImageUrls(['http://127.0.0.1:9/cat.png'])).resolves.toBeUndefined();
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
