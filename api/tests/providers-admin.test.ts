import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

const SECRET = 'sk-live-abcdefghijklmnopqrstuvwxyz0123456789';

describe('provider administration', () => {
  let t: TestHub;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await startTestHub();
    admin = bearer(t.adminKey);
  });
  afterAll(() => t.close());

  it('lists every registry provider in the catalog with credential fields and base URL', async () => {
    const res = await t.request.get('/api/ai-providers/catalog').set(admin);
    expect(res.status).toBe(200);
    const ids = res.body.map((p: { id: string }) => p.id);
    for (const id of ['openai', 'anthropic', 'google', 'deepseek', 'xai', 'openrouter', 'ollama', 'bedrock', 'doubao', 'poe', 'ideogram', 'openai-compatible']) {
      expect(ids).toContain(id);
    }
    const openai = res.body.find((p: { id: string }) => p.id === 'openai');
    expect(openai.defaultBaseUrl).toBe('https://api.openai.com/v1');
    expect(openai.credentialFields).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'api_key', secret: true, required: true })]));
    const anthropic = res.body.find((p: { id: string }) => p.id === 'anthropic');
    expect(anthropic.defaultBaseUrl).toBe('https://api.anthropic.com');
  });

  it('creates providers, refuses unknown names and duplicates', async () => {
    const created = await t.request.post('/api/ai-providers').set(admin).send({ name: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'openai', displayName: expect.any(String), enabled: true, baseUrl: 'http://127.0.0.1:9/v1', credentials: [] });
    const duplicate = await t.request.post('/api/ai-providers').set(admin).send({ name: 'openai' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ type: 'conflict', code: 'provider_exists' });
    const unknown = await t.request.post('/api/ai-providers').set(admin).send({ name: 'skynet' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/skynet/);
    expect((await t.request.post('/api/ai-providers').set(admin).send({ name: 'anthropic', baseUrl: 'not a url' })).status).toBe(400);
    expect((await t.request.post('/api/ai-providers').set(admin).send({ name: 'openai-compatible' })).status).toBe(400);
    expect((await t.request.post('/api/ai-providers').set(admin).send({ displayName: 'no name' })).status).toBe(400);
  });

  it('seals credentials at rest and masks them on every read', async () => {
    const provider = (await t.request.post('/api/ai-providers').set(admin).send({ name: 'deepseek', baseUrl: 'http://127.0.0.1:9/v1' })).body;
    const missing = await t.request.post(`/api/ai-providers/${provider.id}/credentials`).set(admin).send({ name: 'k', credentialValue: {}, validate: false });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/api_key/);
    const cred = await t.request
      .post(`/api/ai-providers/${provider.id}/credentials`)
      .set(admin)
      .send({ name: 'primary', credentialValue: { api_key: SECRET }, weight: 50, validate: false });
    expect(cred.status).toBe(201);
    expect(cred.body.maskedValue.api_key).toBe('sk-l****6789');
    expect(cred.body).toMatchObject({ weight: 50, status: 'active', name: 'primary' });
    const dup = await t.request.post(`/api/ai-providers/${provider.id}/credentials`).set(admin).send({ name: 'primary', credentialValue: { api_key: 'sk-other-0000000000000' }, validate: false });
    expect(dup.status).toBe(409);
    const second = await t.request.post(`/api/ai-providers/${provider.id}/credentials`).set(admin).send({ name: 'second', credentialValue: { api_key: 'sk-other-0000000000000' }, validate: false });
    const renamed = await t.request.put(`/api/ai-providers/${provider.id}/credentials/${second.body.id}`).set(admin).send({ name: 'primary' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.message).toMatch(/primary/);
    expect((await t.request.delete(`/api/ai-providers/${provider.id}/credentials/${second.body.id}`).set(admin)).status).toBe(204);

    const reads = [
      await t.request.get('/api/ai-providers').set(admin),
      await t.request.get(`/api/ai-providers/${provider.id}`).set(admin),
      await t.request.get(`/api/ai-providers/${provider.id}/credentials`).set(admin),
      await t.request.put(`/api/ai-providers/${provider.id}/credentials/${cred.body.id}`).set(admin).send({ weight: 10 }),
    ];
    for (const r of reads) {
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toContain(SECRET);
      expect(JSON.stringify(r.body)).not.toContain(SECRET.slice(4, 20));
    }
    // The raw database never holds it in clear text.
    for (const table of ['ai_credentials', 'ai_providers', 'access_keys', 'model_calls']) {
      const [rows] = await t.hub.sequelize.query(`SELECT * FROM ${table}`);
      expect(JSON.stringify(rows)).not.toContain(SECRET.slice(3, 20));
    }
    const { readFileSync } = await import('node:fs');
    await t.hub.sequelize.query('PRAGMA wal_checkpoint(FULL)');
    expect(readFileSync(t.config.sqlitePath).includes(Buffer.from(SECRET.slice(3, 20)))).toBe(false);
    // Disable and re-enable.
    const disabled = await t.request.put(`/api/ai-providers/${provider.id}/credentials/${cred.body.id}`).set(admin).send({ enabled: false });
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: expect.any(String) });
  });

  it('validates a credential with a live call and reports the provider reason', async () => {
    // Nothing listens on port 9: the live call fails.
    const provider = (await t.request.post('/api/ai-providers').set(admin).send({ name: 'openrouter', baseUrl: 'http://127.0.0.1:9/v1' })).body;
    const res = await t.request.post(`/api/ai-providers/${provider.id}/credentials`).set(admin).send({ name: 'unreachable', credentialValue: { api_key: SECRET } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('credential_invalid');
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });

  it('keeps model rates as exact decimals and rejects bad ones', async () => {
    const provider = (await t.request.post('/api/ai-providers').set(admin).send({ name: 'poe', baseUrl: 'http://127.0.0.1:9/v1' })).body;
    const base = `/api/ai-providers/${provider.id}/model-rates`;
    const ok = await t.request.post(base).set(admin).send({ model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.0000001500000000001', outputRate: '0.0000006', unitCosts: { input: '0.15', output: '0.6' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ inputRate: '0.0000001500000000001', outputRate: '0.0000006', unitCosts: { input: '0.15', output: '0.6' } });
    expect((await t.request.post(base).set(admin).send({ model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '1', outputRate: '1' })).status).toBe(409);
    for (const bad of ['-1', 'abc', '1e-3', '', null, true]) {
      const res = await t.request.post(base).set(admin).send({ model: `m-${String(bad)}`, type: 'chatCompletion', inputRate: bad, outputRate: '1' });
      expect(res.status, `inputRate ${JSON.stringify(bad)}`).toBe(400);
    }
    expect((await t.request.post(base).set(admin).send({ model: 'x', type: 'video', inputRate: '1', outputRate: '1' })).status).toBe(400);
    const updated = await t.request.put(`${base}/${ok.body.id}`).set(admin).send({ outputRate: '0.10' });
    expect(updated.body.outputRate).toBe('0.1');
    const other = await t.request.post(base).set(admin).send({ model: 'gpt-4o', type: 'chatCompletion', inputRate: '1', outputRate: '1' });
    expect((await t.request.put(`${base}/${other.body.id}`).set(admin).send({ model: 'gpt-4o-mini' })).status).toBe(409);
    expect((await t.request.delete(`${base}/${other.body.id}`).set(admin)).status).toBe(204);
    expect((await t.request.get(base).set(admin)).body).toHaveLength(1);
    expect((await t.request.delete(`${base}/${ok.body.id}`).set(admin)).status).toBe(204);
    expect((await t.request.get(base).set(admin)).body).toHaveLength(0);
  });

  it('deletes a provider with its credentials and rates', async () => {
    const p = (await t.request.post('/api/ai-providers').set(admin).send({ name: 'xai', baseUrl: 'http://127.0.0.1:9/v1' })).body;
    await t.request.post(`/api/ai-providers/${p.id}/credentials`).set(admin).send({ name: 'k', credentialValue: { api_key: 'xai-000000000000000000' }, validate: false });
    await t.request.post(`/api/ai-providers/${p.id}/model-rates`).set(admin).send({ model: 'grok-3', type: 'chatCompletion', inputRate: '1', outputRate: '2' });
    expect((await t.request.delete(`/api/ai-providers/${p.id}`).set(admin)).status).toBe(204);
    expect((await t.request.get(`/api/ai-providers/${p.id}`).set(admin)).status).toBe(404);
    const [creds] = await t.hub.sequelize.query(`SELECT id FROM ai_credentials WHERE "providerId" = '${p.id}'`);
    const [rates] = await t.hub.sequelize.query(`SELECT id FROM ai_model_rates WHERE "providerId" = '${p.id}'`);
    expect(creds).toHaveLength(0);
    expect(rates).toHaveLength(0);
  });

  it('manages apps', async () => {
    const app = await t.request.post('/api/apps').set(admin).send({ name: 'My App', did: 'zApp1' });
    expect(app.status).toBe(201);
    expect((await t.request.post('/api/apps').set(admin).send({ name: 'Again', did: 'zApp1' })).status).toBe(409);
    expect((await t.request.get('/api/apps').set(admin)).body.map((a: { did: string }) => a.did)).toContain('zApp1');
    expect((await t.request.delete(`/api/apps/${app.body.id}`).set(admin)).status).toBe(204);
  });
});
