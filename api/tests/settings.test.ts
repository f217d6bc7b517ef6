/**
 * Operators' settings: standalone from the environment; inside Blocklet Server from the app's
 * preferences through @blocklet/sdk, applied while the hub runs. The change is delivered the way
 * Blocklet Server delivers it: the encrypted component config handed to the SDK's own handler.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPreferences, settingsFromConfig } from '../services/settings.js';
import { parseConfig } from '../config.js';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

const require = createRequire(import.meta.url);
const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hello there' }] });

describe('settings from the environment', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ EXCLUDED_PROVIDERS: 'openai', CREDIT_PREFIX: '⚡', LOW_BALANCE_CREDITS: '2.5', NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x?token=secret', NOTIFY_WEBHOOK_SECRET: 'whsec-test' });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-settings-0000000000000001'] });
  });
  afterAll(() => h.close());

  it('shows them to admins, with the webhook only said to be set', async () => {
    const res = await h.t.request.get('/api/settings').set(bearer(h.t.adminKey));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      source: 'environment',
      settings: {
        creditBillingEnabled: false,
        newUserCreditGrant: '0',
        creditPrefix: '⚡',
        guestPlaygroundEnabled: false,
        excludedProviders: ['openai'],
        lowBalanceCredits: '2.5',
        notifyWebhookUrl: 'set',
      },
    });
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect((await h.t.request.get('/api/settings')).status).toBe(401);
  });

  it('keeps a provider left out of rotation from bare model names, not from its own', async () => {
    const bare = await h.t.request.post('/api/v1/chat/completions').set(bearer(h.t.adminKey)).send(chat('gpt-4o-mini'));
    expect(bare.status).toBe(404);
    const pinned = await h.t.request.post('/api/v1/chat/completions').set(bearer(h.t.adminKey)).send(chat('openai/gpt-4o-mini'));
    expect(pinned.status).toBe(200);
  });

  it('refuses bad values at start, naming the variable', () => {
    expect(() => parseConfig({ EXCLUDED_PROVIDERS: 'open ai!' })).toThrow(/EXCLUDED_PROVIDERS/);
    expect(() => parseConfig({ LOW_BALANCE_CREDITS: '-1' })).toThrow(/LOW_BALANCE_CREDITS/);
  });
});

describe('preferences over the environment', () => {
  it('takes each valid preference and names the invalid ones', () => {
    const base = settingsFromConfig(parseConfig({ NEW_USER_CREDIT_GRANT: '1' }));
    const { settings, problems } = applyPreferences(base, {
      creditBillingEnabled: true,
      newUserCreditGrant: '-3',
      excludedProviders: ['Anthropic', 'google'],
      lowBalanceCredits: 4,
      notifyWebhookUrl: 'ftp://nope',
      unrelated: 'x',
    });
    expect(settings).toMatchObject({ creditBillingEnabled: true, newUserCreditGrant: '1', excludedProviders: ['anthropic', 'google'], lowBalanceCredits: '4', notifyWebhookUrl: null });
    expect(problems.sort()).toEqual(['newUserCreditGrant', 'notifyWebhookUrl']);
  });
});

describe('settings inside Blocklet Server', () => {
  const COMPONENT = { BLOCKLET_COMPONENT_DID: 'z8ia3xzq2tMq8CRHfaXj1BTYJyYnEcHbqP8cJ', BLOCKLET_COMPONENT_API_KEY: 'component-api-key-for-tests-0123456789' };
  const ENV = {
    BLOCKLET_APP_ID: 'zNKtestAppId00000000000000000000000',
    BLOCKLET_APP_PID: 'zNKtestAppPid0000000000000000000000',
    ABT_NODE_SERVICE_PORT: '40404',
    BLOCKLET_APP_ASK: '0x' + 'ab'.repeat(64),
    BLOCKLET_SESSION_SECRET: 'blocklet-session-secret-for-tests-0123456789',
    NOTIFY_WEBHOOK_SECRET: 'whsec-settings-test',
    ...COMPONENT,
  };
  let h: GatewayHarness;
  let t: TestHub;
  let sdk: { _handleComponentConfigUpdate(data: { configs: string }): void };
  let encrypt: (message: string, password: string, salt: string) => string;

  /** What Blocklet Server sends when an operator saves the preferences form. */
  const savePreferences = (prefs: Record<string, unknown>) =>
    sdk._handleComponentConfigUpdate({
      configs: encrypt(JSON.stringify(Object.entries(prefs).map(([key, value]) => ({ key: `prefs.${key}`, value: JSON.stringify(value) }))), COMPONENT.BLOCKLET_COMPONENT_API_KEY, COMPONENT.BLOCKLET_COMPONENT_DID),
    });

  beforeAll(async () => {
    // The SDK reads its settings from the process environment, as it does inside Blocklet Server.
    Object.assign(process.env, ENV);
    sdk = require('@blocklet/sdk/lib/config.js');
    encrypt = require('@blocklet/sdk/lib/security/index.js').encrypt;
    h = await startGatewayHarness(ENV);
    t = h.t;
  });
  afterAll(() => h.close());

  it('applies a saved preference while running: billing on, then a new user’s grant', async () => {
    const before = await t.request.get('/api/settings').set(bearer(t.adminKey));
    expect(before.body).toMatchObject({ source: 'blocklet', settings: { creditBillingEnabled: false, newUserCreditGrant: '0' } });

    savePreferences({ creditBillingEnabled: true, newUserCreditGrant: '3', creditPrefix: '¤' });
    const after = await t.request.get('/api/settings').set(bearer(t.adminKey));
    expect(after.body.settings).toMatchObject({ creditBillingEnabled: true, newUserCreditGrant: '3', creditPrefix: '¤' });
    expect(t.hub.billing.enabled).toBe(true);

    const key = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'after the change', role: 'member' });
    const credits = await t.request.get('/api/user/credits').set(bearer(key.body.key));
    expect(credits.body.balance).toBe('3');

    savePreferences({ creditBillingEnabled: false });
    expect(t.hub.billing.enabled).toBe(false);
    expect((await t.request.get('/api/settings').set(bearer(t.adminKey))).body.settings.newUserCreditGrant).toBe('3');
  });

  it('tells the webhook set while running, at the low-balance threshold set while running, with the credit prefix set', async () => {
    const received: Array<{ path: string; body: any }> = [];
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(raw || '{}') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      savePreferences({ creditBillingEnabled: true, newUserCreditGrant: '0' });
      await addProvider(t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-settings-live-000000000001'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.1', outputRate: '0.1' }] });
      const key = await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'live', role: 'member', userDid: 'user_live' });
      expect((await t.request.post('/api/credits/grants').set(bearer(t.adminKey)).send({ userDid: 'user_live', amount: '3' })).status).toBe(201);
      await t.hub.notifications.events.settled();
      expect(received).toEqual([]);

      savePreferences({ notifyWebhookUrl: hookUrl, lowBalanceCredits: '2.8', creditPrefix: '¤' });
      expect((await t.request.post('/api/v1/chat/completions').set(bearer(key.body.key)).send({ ...chat('openai/gpt-4o-mini'), max_tokens: 5 })).status).toBe(200);
      await t.hub.notifications.events.settled();
      const balance = (await t.request.get('/api/user/credits').set(bearer(key.body.key))).body.balance;
      expect(received.map((r) => r.body.type)).toEqual(['credits.low']);
      expect(received[0]!.path).toBe('/hook');
      expect(received[0]!.body.data).toMatchObject({ userDid: 'user_live', threshold: '2.8', balance });
      expect((await t.request.get('/api/user/info').set(bearer(key.body.key))).body.creditPrefix).toBe('¤');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
