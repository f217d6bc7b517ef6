/**
 * The dashboard's API client (src/api) against a real hub: every area's calls read what the routes
 * answer, so a route that changes its answer breaks here as well as in the types they share
 * (api/wire). The client runs as in a browser: relative URLs on the hub's origin, the session cookie
 * kept between calls.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as client from '../../src/api/client.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';

/** fetch as the dashboard's page sees it: same origin, cookies kept. */
function browserFetch(origin: string): typeof fetch {
  const nodeFetch = globalThis.fetch;
  let cookie = '';
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await nodeFetch(new URL(String(input), origin), { ...init, headers });
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      cookie = pair.endsWith('=') ? '' : pair;
    }
    return res;
  };
}

describe('the dashboard client against the hub', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness();
    vi.stubGlobal('fetch', browserFetch(h.url));
  });
  afterAll(async () => {
    vi.unstubAllGlobals();
    await h?.close();
  });

  it('signs in with a key and out again', async () => {
    await expect(client.login('aigne_not-a-key')).rejects.toMatchObject({ status: 401, type: 'authentication_error' });
    expect(await client.login(h.t.adminKey)).toMatchObject({ role: 'admin' });
    expect(await client.getSession()).toMatchObject({ role: 'admin' });
  });

  it('sets up a provider with a credential and a rate', async () => {
    const catalog = await client.getProviderCatalog();
    expect(catalog.find((e) => e.id === 'openai')).toMatchObject({ credentialType: 'api_key', defaultBaseUrl: 'https://api.openai.com/v1' });

    const provider = await client.createProvider({ name: 'openai', baseUrl: `${h.upstream.url}/v1` });
    await expect(client.createProvider({ name: 'openai' })).rejects.toMatchObject({ status: 409, type: 'conflict' });
    const credential = await client.addCredential(provider.id, { name: 'main', credentialValue: { api_key: 'sk-test-0123456789abcdef' }, validate: false });
    expect(credential.maskedValue.api_key).toBe('sk-t****cdef');
    expect(await client.testCredential(provider.id, credential.id)).toEqual({ ok: true });
    expect((await client.updateCredential(provider.id, credential.id, { weight: 50 })).weight).toBe(50);

    const rate = await client.createModelRate(provider.id, { model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.000001', outputRate: '0.000002' });
    expect((await client.updateModelRate(provider.id, rate.id, { outputRate: '0.000003' })).outputRate).toBe('0.000003');
    expect((await client.listModelRates(provider.id)).map((r) => r.model)).toEqual(['gpt-4o-mini']);

    const [listed] = await client.listProviders();
    expect(listed).toMatchObject({ id: provider.id, enabled: true });
    expect(listed!.credentials.map((c) => c.id)).toEqual([credential.id]);
    expect((await client.updateProvider(provider.id, { displayName: 'Fake OpenAI' })).displayName).toBe('Fake OpenAI');
  });

  it('issues keys and registers apps', async () => {
    const key = await client.createAccessKey({ name: 'ci', role: 'member' });
    expect(key.key.startsWith('aigne_')).toBe(true);
    const listed = (await client.listAccessKeys()).find((k) => k.id === key.id);
    expect(listed).toMatchObject({ name: 'ci', role: 'member', revokedAt: null });
    expect(listed).not.toHaveProperty('key');
    await client.revokeAccessKey(key.id);
    expect((await client.listAccessKeys()).find((k) => k.id === key.id)?.revokedAt).toEqual(expect.any(String));

    const app = await client.createApp({ name: 'Support bot' });
    expect((await client.listApps()).map((a) => a.id)).toContain(app.id);
    await client.deleteApp(app.id);
  });

  it('streams a chat in the playground and finds the call in the log, the usage and the credits', async () => {
    const models = await client.listModels('chat');
    const model = models.find((m) => m.model === 'gpt-4o-mini');
    expect(model).toMatchObject({ provider: 'openai', input_credits_per_token: '0.000001', status: { available: true } });

    const deltas: string[] = [];
    const result = await client.streamChat({ model: client.qualifiedModelName(model!), messages: [{ role: 'user', content: 'say hi' }], onDelta: (d) => deltas.push(d) });
    expect(result.text).toBe(deltas.join(''));
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage?.completionTokens).toBeGreaterThan(0);

    const call = await client.findModelCall(result.callId!, { delayMs: 50, attempts: 40 });
    expect(call).toMatchObject({ id: result.callId, status: 'success', model: 'openai/gpt-4o-mini' });
    expect((await client.listModelCalls({ status: 'success' })).data.map((c) => c.id)).toContain(result.callId);
    expect(client.modelCallsExportUrl({ status: 'success', limit: 5 })).toBe('/api/model-calls/export?status=success');

    const byModel = await client.getUsageStats({ groupBy: 'model' });
    expect(byModel.find((r) => r.key === 'openai/gpt-4o-mini')).toMatchObject({ calls: 1, errors: 0, credits: expect.any(String) });
  });

  it('shows credits and grants some', async () => {
    expect(await client.getCredits()).toMatchObject({ balance: expect.any(String), currency: 'credits', pending: '0' });
    const member = await client.createAccessKey({ name: 'member', role: 'member' });
    const grant = await client.grantCredits({ userDid: member.userDid, amount: '2.5', reason: 'welcome' });
    expect(grant).toMatchObject({ userDid: member.userDid, amount: '2.5', reason: 'welcome' });
    expect((await client.listCreditTransactions({ limit: 10 })).data).toEqual(expect.any(Array));
  });

  it('makes and revokes the user’s own keys, approves an app for them, and reads who they are', async () => {
    const mine = await client.createMyKey({ name: 'laptop' });
    expect(mine).toMatchObject({ role: 'member', userDid: 'admin', limits: null });
    expect((await client.listMyKeys()).find((k) => k.id === mine.id)).toMatchObject({ name: 'laptop', usage: { calls: 0, credits: '0' } });
    await client.revokeMyKey(mine.id);
    expect((await client.listMyKeys()).find((k) => k.id === mine.id)?.revokedAt).toEqual(expect.any(String));

    const approved = await client.approveApp({ callback_url: 'https://app.example.com/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', app_name: 'Tool' });
    expect(new URL(approved.redirectUrl).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(await client.getUserInfo()).toMatchObject({ user: { did: 'admin' }, enableCredit: false, creditBalance: null, paymentLink: null });
    const own = await client.getUsageStats({ groupBy: 'model', userDid: 'admin' });
    expect(own.find((r) => r.key === 'openai/gpt-4o-mini')).toMatchObject({ calls: 1 });
  });

  it('deletes what it made and signs out', async () => {
    const [provider] = await client.listProviders();
    const credential = provider!.credentials[0]!;
    const [rate] = await client.listModelRates(provider!.id);
    await client.deleteModelRate(provider!.id, rate!.id);
    await client.deleteCredential(provider!.id, credential.id);
    await client.deleteProvider(provider!.id);
    expect(await client.listProviders()).toEqual([]);
    await client.logout();
    expect(await client.getSession()).toBeNull();
  });
});
