/**
 * Inside Blocklet Server the @blocklet/sdk session is accepted too: a login token signed with the
 * app's session secret, with the Blocklet roles mapped (owner/admin → admin, others → member).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken') as { sign(payload: object, secret: string, options?: object): string };
const SESSION_SECRET = 'blocklet-session-secret-for-tests-0123456789';

const BLOCKLET_ENV = {
  BLOCKLET_APP_ID: 'zNKtestAppId00000000000000000000000',
  BLOCKLET_APP_PID: 'zNKtestAppPid0000000000000000000000',
  ABT_NODE_SERVICE_PORT: '40404',
  BLOCKLET_APP_ASK: '0x' + 'ab'.repeat(64),
  BLOCKLET_SESSION_SECRET: SESSION_SECRET,
};

describe('Blocklet Server sessions', () => {
  let t: TestHub;
  beforeAll(async () => {
    // The SDK reads its settings from the process environment, as it does inside Blocklet Server.
    Object.assign(process.env, BLOCKLET_ENV);
    t = await startTestHub(BLOCKLET_ENV);
  });
  afterAll(() => t.close());

  const token = (role: string, did = 'z1blockletUser', secret = SESSION_SECRET) => jwt.sign({ did, role, fullName: 'Ada', provider: 'wallet' }, secret, { expiresIn: '1h' });

  it('detects Blocklet Server mode', () => {
    expect(t.config.blocklet.enabled).toBe(true);
  });

  it('treats owners and admins as admins', async () => {
    for (const role of ['owner', 'admin']) {
      const res = await t.request.get('/api/access-keys').set(bearer(token(role)));
      expect(res.status, role).toBe(200);
    }
    const cookie = await t.request.get('/api/auth/session').set('Cookie', `login_token=${token('owner')}`);
    expect(cookie.body.user).toMatchObject({ did: 'z1blockletUser', role: 'admin', name: 'Ada' });
  });

  it('treats other roles as members', async () => {
    const res = await t.request.get('/api/access-keys').set(bearer(token('guest', 'z1guest')));
    expect(res.status).toBe(403);
    const me = await t.request.get('/api/auth/session').set(bearer(token('guest', 'z1guest')));
    expect(me.body.user).toMatchObject({ did: 'z1guest', role: 'member' });
    // Seen once, the Blocklet user exists in the hub (so it can hold credits).
    expect(await t.hub.services.users.get('z1guest')).toMatchObject({ did: 'z1guest', name: 'Ada', role: 'member' });
  });

  it('refuses a token signed with another secret', async () => {
    const res = await t.request.get('/api/auth/session').set(bearer(token('owner', 'z1x', 'not-the-secret-of-this-app-000000')));
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe('authentication_error');
  });

  it('still accepts the hub access keys', async () => {
    expect((await t.request.get('/api/access-keys').set(bearer(t.adminKey))).status).toBe(200);
  });

  it('accepts login tokens on the model routes as on the others, from a header or the query string', async () => {
    const url = '/api/v1/chat/completions';
    const body = { model: 'nobody/no-such-model', messages: [{ role: 'user', content: 'hi' }] };
    // Authenticated callers get past 401 to the model lookup (no such model: 404).
    const byHeader = await t.request.post(url).set(bearer(token('member', 'z1tokenCaller'))).send(body);
    expect(byHeader.status, JSON.stringify(byHeader.body)).toBe(404);
    expect(byHeader.body.error.code).toBe('model_not_found');
    // The SDK reads `access_token` through Express's `req.query`.
    const byQuery = await t.request.post(`${url}?access_token=${token('member', 'z1queryCaller')}`).send(body);
    expect(byQuery.status, JSON.stringify(byQuery.body)).toBe(404);
    expect((await t.request.post(`${url}?access_token=not-a-token`).send(body)).status).toBe(401);
  });
});

describe('standalone', () => {
  it('does not accept Blocklet login tokens', async () => {
    const t = await startTestHub({ BLOCKLET_APP_ID: undefined, ABT_NODE_SERVICE_PORT: undefined });
    expect(t.config.blocklet.enabled).toBe(false);
    const res = await t.request.get('/api/auth/session').set(bearer(jwt.sign({ did: 'z1', role: 'owner' }, SESSION_SECRET)));
    expect(res.status).toBe(401);
    await t.close();
  });
});
