/**
 * Two real hub processes on one PostgreSQL database, with requests split round-robin between
 * them: a change made through one (key revoked, credential disabled, rate changed) is honoured by
 * the other as soon as the change feed tells it, and credits are reserved and charged exactly once
 * across both.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { openDatabase } from '../../store/sequelize.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/gateway.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';
import { call, startHubProcess, type HubProcess } from './hub-process.js';

const ADMIN = 'multi-instance-admin-key-0000000';
const SECRET = 'multi-instance-secret-0123456789abcdef';
/**
 * The instances trust their caches for 10 minutes, far beyond every wait here: a change is seen by
 * the other instance only through the change feed (NOTIFY), never because a cache expired.
 */
const CACHE_TTL_MS = '600000';
/** A bound on the feed's delay on a loaded machine (it takes milliseconds). */
const CONVERGE_MS = 10_000;

describePostgres('two hub instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let db: Sequelize;
  let a: HubProcess;
  let b: HubProcess;
  let providerId: string;
  let credentials: Record<string, string>;
  let rates: Record<string, string>;
  const dataDirs = [makeTempDir(), makeTempDir()];
  let turn = 0;
  /** The next instance in round-robin order. */
  const next = () => (turn++ % 2 === 0 ? a : b);

  const chat = (hub: HubProcess, key: string, body: Record<string, unknown> = {}) =>
    call(`${hub.url}/api/v1/chat/completions`, key, 'POST', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 8, ...body });

  const newMember = async (hub: HubProcess, name: string, credits?: string) => {
    const key = await call(`${hub.url}/api/access-keys`, ADMIN, 'POST', { name });
    expect(key.status).toBe(201);
    if (credits) expect((await call(`${hub.url}/api/credits/grants`, ADMIN, 'POST', { userDid: key.body.userDid, amount: credits })).status).toBe(201);
    return { key: key.body.key as string, id: key.body.id as string, userDid: key.body.userDid as string };
  };

  beforeAll(async () => {
    database = await createTestDatabase('multi');
    upstream = await startFakeUpstream();
    const env = (dataDir: string) => ({
      DATABASE_URL: database.url,
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: ADMIN,
      AIGNE_HUB_SECRET: SECRET,
      CREDIT_BASED_BILLING_ENABLED: 'true',
      ACCESS_KEY_CACHE_TTL_MS: CACHE_TTL_MS,
      ROUTING_CACHE_TTL_MS: CACHE_TTL_MS,
    });
    // Both start at once on an empty database: one migrates, the other waits for it.
    [a, b] = await Promise.all(dataDirs.map((d) => startHubProcess(env(d))));
    db = openDatabase({ sqlitePath: '', databaseUrl: database.url });

    const provider = await call(`${a.url}/api/ai-providers`, ADMIN, 'POST', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    expect(provider.status).toBe(201);
    providerId = provider.body.id;
    credentials = {};
    for (const apiKey of ['sk-instance-a-000000000000', 'sk-instance-b-000000000000']) {
      const c = await call(`${a.url}/api/ai-providers/${providerId}/credentials`, ADMIN, 'POST', { name: apiKey, credentialValue: { api_key: apiKey }, validate: false });
      expect(c.status).toBe(201);
      credentials[apiKey] = c.body.id;
    }
    rates = {};
    for (const [model, outputRate] of [['gpt-4o-mini', '0.0000002'], ['gpt-4o', '0.001']] as const) {
      const r = await call(`${a.url}/api/ai-providers/${providerId}/model-rates`, ADMIN, 'POST', { model, type: 'chatCompletion', inputRate: model === 'gpt-4o' ? '0' : '0.0000001', outputRate });
      expect(r.status).toBe(201);
      rates[model] = r.body.id;
    }
  });

  afterAll(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await upstream?.close();
    await database?.drop();
    expect(codes).toEqual([0, 0]);
  });

  it('starts both instances on the same database and serves from either', async () => {
    expect(a.output()).toContain('"database":"postgres"');
    expect(b.output()).toContain('"database":"postgres"');
    const [migrations] = await db.query(`SELECT name FROM migrations`);
    expect(migrations.length).toBeGreaterThanOrEqual(2);
    // A provider, credential and member created through A serve calls through B at once.
    const member = await newMember(a, 'both', '1');
    for (let i = 0; i < 4; i++) {
      const res = await chat(next(), member.key);
      expect(res.status).toBe(200);
      expect(res.body.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
    }
  });

  it('honours on B a model rate changed on A', async () => {
    const member = await newMember(a, 'rates', '1');
    const creditsOf = async (res: { headers: Headers }) => {
      const id = res.headers.get('x-aigne-hub-model-call-id');
      // The row is journaled when the answer ends and in the database once its batch commits.
      const row = await waitFor(async () => {
        const [r] = await db.query<{ creditsNano: number }>(`SELECT "creditsNano" FROM model_calls WHERE "id" = :id`, { replacements: { id }, type: QueryTypes.SELECT });
        return r;
      });
      return row.creditsNano;
    };
    // 2 × 0.0000001 + 3 × 0.0000002 = 800 nano-credits.
    expect(await creditsOf(await chat(b, member.key))).toBe(800);
    const updated = await call(`${a.url}/api/ai-providers/${providerId}/model-rates/${rates['gpt-4o-mini']}`, ADMIN, 'PUT', { outputRate: '0.000001' });
    expect(updated.status).toBe(200);
    // 2 × 0.0000001 + 3 × 0.000001 = 3200 nano-credits, once B has seen the change.
    await waitFor(async () => (await creditsOf(await chat(b, member.key))) === 3200, CONVERGE_MS);
    for (let i = 0; i < 4; i++) expect(await creditsOf(await chat(next(), member.key))).toBe(3200);
  });

  it('stops using on B a credential disabled on A', async () => {
    const member = await newMember(a, 'credentials', '1');
    const usedKey = async (hub: HubProcess) => {
      const res = await chat(hub, member.key);
      expect(res.status).toBe(200);
      return upstream.requests.at(-1)!.apiKey;
    };
    // Equal weights: B alternates between both credentials.
    const before = new Set([await usedKey(b), await usedKey(b), await usedKey(b), await usedKey(b)]);
    expect(before).toEqual(new Set(Object.keys(credentials)));

    const disabled = await call(`${a.url}/api/ai-providers/${providerId}/credentials/${credentials['sk-instance-b-000000000000']}`, ADMIN, 'PUT', { enabled: false });
    expect(disabled.body.status).toBe('disabled');
    await waitFor(async () => (await usedKey(b)) === 'sk-instance-a-000000000000' && (await usedKey(b)) === 'sk-instance-a-000000000000', CONVERGE_MS);
    const after = new Set<string | undefined>();
    for (let i = 0; i < 8; i++) after.add(await usedKey(next()));
    expect(after).toEqual(new Set(['sk-instance-a-000000000000']));

    // Re-enabled on B, A uses it again.
    expect((await call(`${b.url}/api/ai-providers/${providerId}/credentials/${credentials['sk-instance-b-000000000000']}`, ADMIN, 'PUT', { enabled: true })).body.status).toBe('active');
    await waitFor(async () => (await usedKey(a)) === 'sk-instance-b-000000000000' || (await usedKey(a)) === 'sk-instance-b-000000000000', CONVERGE_MS);
  });

  it('refuses on B a key revoked on A, for bearer keys and sessions', async () => {
    const member = await newMember(a, 'revoked', '1');
    // B has the key cached as valid, and a session cookie for it.
    expect((await chat(b, member.key)).status).toBe(200);
    const login = await fetch(`${b.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: member.key }) });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0]!;
    expect((await fetch(`${b.url}/api/auth/session`, { headers: { cookie } })).status).toBe(200);

    expect((await call(`${a.url}/api/access-keys/${member.id}`, ADMIN, 'DELETE')).status).toBe(204);
    await waitFor(async () => (await chat(b, member.key)).status === 401, CONVERGE_MS);
    await waitFor(async () => (await fetch(`${b.url}/api/auth/session`, { headers: { cookie } })).status === 401, CONVERGE_MS);
    for (let i = 0; i < 4; i++) {
      const res = await chat(next(), member.key);
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe('authentication_error');
    }
  });

  it('reserves and charges credits exactly once across both instances', async () => {
    // gpt-4o: output only, 0.001 credits per token; "Echo: hi" is 2 tokens; max_tokens 2 reserves
    // exactly the cost. 0.02 credits cover 10 calls: 30 at once, split over A and B.
    const member = await newMember(b, 'spender', '0.02');
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => chat(next(), member.key, { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(20);

    // Each instance reads its own calls' charges at once, the other's once their batch commits.
    for (const hub of [a, b]) {
      await waitFor(async () => {
        const credits = await call(`${hub.url}/api/user/credits`, member.key, 'GET');
        return credits.body.balance === '0' && credits.body.pending === '0';
      }, CONVERGE_MS);
    }
    const charges = await db.query<{ modelCallId: string; amountNano: number }>(
      `SELECT "modelCallId", "amountNano" FROM credit_transactions WHERE "userDid" = :u AND "type" = 'charge'`,
      { replacements: { u: member.userDid }, type: QueryTypes.SELECT },
    );
    const succeeded = responses.filter((r) => r.status === 200).map((r) => r.headers.get('x-aigne-hub-model-call-id'));
    expect(charges.map((c) => c.modelCallId).sort()).toEqual([...succeeded].sort());
    expect(charges.every((c) => c.amountNano === -2_000_000)).toBe(true);
    const [account] = await db.query<{ balanceNano: number; heldNano: number }>(`SELECT "balanceNano", "heldNano" FROM credit_accounts WHERE "userDid" = :u`, {
      replacements: { u: member.userDid },
      type: QueryTypes.SELECT,
    });
    expect(account).toEqual({ balanceNano: 0, heldNano: 0 });
    const [open] = await db.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM credit_reservations WHERE "userDid" = :u`, { replacements: { u: member.userDid }, type: QueryTypes.SELECT });
    expect(open!.n).toBe(0);

    // Another grant through A is spendable through B right away; the ledger sums to the balance.
    expect((await call(`${a.url}/api/credits/grants`, ADMIN, 'POST', { userDid: member.userDid, amount: '0.01' })).status).toBe(201);
    const more = await Promise.all(Array.from({ length: 4 }, () => chat(next(), member.key, { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })));
    expect(more.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const balances = () => Promise.all([a, b].map(async (hub) => (await call(`${hub.url}/api/user/credits`, member.key, 'GET')).body.balance));
    await waitFor(async () => (await balances()).every((x) => x === '0.002'), CONVERGE_MS);
    const [sum] = await db.query<{ total: number }>(`SELECT CAST(SUM("amountNano") AS BIGINT) AS "total" FROM credit_transactions WHERE "userDid" = :u`, {
      replacements: { u: member.userDid },
      type: QueryTypes.SELECT,
    });
    expect(sum!.total).toBe(2_000_000);
  });
});
