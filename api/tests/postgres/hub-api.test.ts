/**
 * The admin, auth and gateway features through the real API with DATABASE_URL on PostgreSQL:
 * providers, credentials and rates; keys, sessions and revocation; chat calls (plain and streamed)
 * with their ModelCall rows, the call log, usage stats, credits and charges.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addProvider, modelCallRow, startGatewayHarness, waitFor, type GatewayHarness } from '../helpers/gateway.js';
import { bearer } from '../helpers/hub.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';

const SECRET = 'sk-live-postgres-abcdefghijklmnopqrstuvwxyz';

describePostgres('the hub API on PostgreSQL', () => {
  let database: TestDatabase;
  let h: GatewayHarness;
  let admin: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('hub_api');
    h = await startGatewayHarness({ DATABASE_URL: database.url, CREDIT_BASED_BILLING_ENABLED: 'true' });
    admin = bearer(h.t.adminKey);
  });
  afterAll(async () => {
    await h?.close();
    await database?.drop();
  });

  const chat = (key: string, body: Record<string, unknown>) =>
    fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], ...body }),
    });

  it('runs on PostgreSQL', async () => {
    expect(h.t.hub.sequelize.getDialect()).toBe('postgres');
    const health = await h.t.request.get('/api/health');
    expect(health.body).toMatchObject({ status: 'ok', db: 'ok' });
  });

  it('administers providers, sealed credentials and exact rates', async () => {
    const created = await h.t.request.post('/api/ai-providers').set(admin).send({ name: 'deepseek', baseUrl: 'http://127.0.0.1:9/v1', config: { headers: { 'x-team': 'a' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'deepseek', enabled: true, config: { headers: { 'x-team': 'a' } } });
    expect((await h.t.request.post('/api/ai-providers').set(admin).send({ name: 'deepseek' })).status).toBe(409);

    const id = created.body.id as string;
    const cred = await h.t.request.post(`/api/ai-providers/${id}/credentials`).set(admin).send({ name: 'primary', credentialValue: { api_key: SECRET }, weight: 40, validate: false });
    expect(cred.status).toBe(201);
    expect(cred.body).toMatchObject({ weight: 40, status: 'active', maskedValue: { api_key: 'sk-l****wxyz' } });
    expect((await h.t.request.post(`/api/ai-providers/${id}/credentials`).set(admin).send({ name: 'primary', credentialValue: { api_key: SECRET }, validate: false })).status).toBe(409);
    const disabled = await h.t.request.put(`/api/ai-providers/${id}/credentials/${cred.body.id}`).set(admin).send({ enabled: false });
    expect(disabled.body).toMatchObject({ status: 'disabled' });
    const [rows] = await h.t.hub.sequelize.query(`SELECT * FROM ai_credentials`);
    expect(JSON.stringify(rows)).not.toContain(SECRET.slice(3, 20));

    const rate = await h.t.request.post(`/api/ai-providers/${id}/model-rates`).set(admin).send({ model: 'deepseek-chat', type: 'chatCompletion', inputRate: '0.0000001500000000001', outputRate: '0.0000006', unitCosts: { input: '0.15', output: '0.6' } });
    expect(rate.status).toBe(201);
    expect(rate.body).toMatchObject({ inputRate: '0.0000001500000000001', unitCosts: { input: '0.15', output: '0.6' } });
    expect((await h.t.request.post(`/api/ai-providers/${id}/model-rates`).set(admin).send({ model: 'deepseek-chat', type: 'chatCompletion', inputRate: '1', outputRate: '1' })).status).toBe(409);
    expect((await h.t.request.put(`/api/ai-providers/${id}/model-rates/${rate.body.id}`).set(admin).send({ outputRate: '0.10' })).body.outputRate).toBe('0.1');

    const listed = (await h.t.request.get('/api/ai-providers').set(admin)).body.find((p: { id: string }) => p.id === id);
    expect(listed.credentials).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(SECRET);

    expect((await h.t.request.delete(`/api/ai-providers/${id}`).set(admin)).status).toBe(204);
    const [left] = await h.t.hub.sequelize.query(`SELECT id FROM ai_credentials WHERE "providerId" = :id UNION ALL SELECT id FROM ai_model_rates WHERE "providerId" = :id`, { replacements: { id } });
    expect(left).toHaveLength(0);
  });

  it('issues keys, opens sessions, and revokes both at once', async () => {
    const created = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'pg member' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect((await h.t.request.get('/api/ai-providers').set(bearer(key))).status).toBe(403);
    const login = await h.t.request.post('/api/auth/login').send({ key });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await h.t.request.get('/api/auth/session').set('Cookie', cookie)).body.user).toMatchObject({ did: created.body.userDid, role: 'member' });
    const list = await h.t.request.get('/api/access-keys').set(admin);
    expect(list.body.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ name: 'pg member', revokedAt: null });

    expect((await h.t.request.delete(`/api/access-keys/${created.body.id}`).set(admin)).status).toBe(204);
    expect((await h.t.request.get('/api/auth/session').set(bearer(key))).status).toBe(401);
    expect((await h.t.request.get('/api/auth/session').set('Cookie', cookie)).status).toBe(401);
  });

  it('serves, records, prices and charges chat calls, plain and streamed', async () => {
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-pg-000000000001'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.0000001', outputRate: '0.0000002' }] });
    const member = (await h.t.request.post('/api/access-keys').set(admin).send({ name: 'caller' })).body;
    expect((await chat(member.key, { max_tokens: 16 })).status).toBe(402);
    const grant = await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: member.userDid, amount: '1.5' });
    expect(grant.status).toBe(201);

    const plain = await chat(member.key, { max_tokens: 16 });
    expect(plain.status).toBe(200);
    expect((await plain.json()).usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
    const plainId = plain.headers.get('x-aigne-hub-model-call-id')!;

    const streamed = await chat(member.key, { stream: true, stream_options: { include_usage: true }, max_tokens: 16 });
    const text = await streamed.text();
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    const streamedId = streamed.headers.get('x-aigne-hub-model-call-id')!;

    // 2 × 0.0000001 + 3 × 0.0000002 = 0.0000008 credits = 800 nano-credits per call.
    for (const [id, stream] of [[plainId, false], [streamedId, true]] as const) {
      const row = await modelCallRow(h.t, id);
      expect(row).toMatchObject({ status: 'success', stream, inputTokens: 2, outputTokens: 3, creditsNano: 800, usageEstimated: false, userDid: member.userDid });
    }

    const log = await h.t.request.get('/api/model-calls?limit=1').set(bearer(member.key));
    expect(log.status).toBe(200);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({ id: streamedId, status: 'success', inputTokens: 2, outputTokens: 3, credits: '0.0000008' });
    const next = await h.t.request.get(`/api/model-calls?limit=1&cursor=${encodeURIComponent(log.body.next)}`).set(bearer(member.key));
    expect(next.body.data[0].id).toBe(plainId);

    const credits = await h.t.request.get('/api/user/credits').set(bearer(member.key));
    expect(credits.body).toMatchObject({ balance: '1.4999984', pending: '0' });
    const ledger = await h.t.request.get('/api/user/credits/transactions').set(bearer(member.key));
    expect(ledger.body.data.map((e: { type: string; amount: string }) => `${e.type} ${e.amount}`)).toEqual(['charge -0.0000008', 'charge -0.0000008', 'grant 1.5']);

    // Three calls: the refused one (402) counts as an error.
    const stats = await waitFor(async () => {
      const res = await h.t.request.get('/api/usage/stats?groupBy=model').set(bearer(member.key));
      const row = res.body.data.find((r: { key: string }) => r.key === 'openai/gpt-4o-mini');
      return row?.calls >= 3 ? row : undefined;
    });
    expect(stats).toMatchObject({ calls: 3, errors: 1, inputTokens: 4, outputTokens: 6, credits: '0.0000016' });
    const [bucket] = await h.t.hub.sequelize.query(`SELECT SUM("calls") AS "calls", CAST(SUM("creditsNano") AS BIGINT) AS "credits" FROM usages WHERE "userDid" = :u`, {
      replacements: { u: member.userDid },
    });
    expect(bucket).toEqual([{ calls: 3, credits: 1600 }]);
  });
});
