/**
 * issue 28 finding 7: X-Forwarded-* is believed only from TRUST_PROXY peers (default: loopback and
 * private addresses), and the session cookie is Secure whenever the browser came over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

type TrustFn = (address: string, hop: number) => boolean;

describe('TRUST_PROXY', () => {
  it('defaults to loopback and private addresses, and takes Express trust proxy values', () => {
    expect(parseConfig({}).trustProxy).toBe('loopback, uniquelocal');
    expect(parseConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(parseConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(parseConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/8, loopback, 2001:db8::1' }).trustProxy).toBe('10.0.0.0/8, loopback, 2001:db8::1');
    expect(() => parseConfig({ TRUST_PROXY: 'everyone' })).toThrow(ConfigError);
    expect(() => parseConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
  });
});

describe('forwarded headers and Secure cookies', () => {
  let t: TestHub;
  let key: string;
  beforeAll(async () => {
    t = await startTestHub();
    key = (await t.request.post('/api/access-keys').set(bearer(t.adminKey)).send({ name: 'browser' })).body.key;
  });
  afterAll(() => t.close());

  it('believes only loopback and private peers by default', () => {
    const trusted = t.hub.app.get('trust proxy fn') as TrustFn;
    for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', 'fd00::7']) expect(trusted(peer, 0), peer).toBe(true);
    for (const peer of ['203.0.113.7', '8.8.8.8', '2001:db8::1', '169.254.169.254']) expect(trusted(peer, 0), peer).toBe(false);
  });

  it('sets Secure when a trusted proxy says the request was HTTPS, and not otherwise', async () => {
    const tls = await t.request.post('/api/auth/login').set('X-Forwarded-Proto', 'https').send({ key });
    expect(tls.status).toBe(200);
    expect(String(tls.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    const logout = await t.request.post('/api/auth/logout').set('X-Forwarded-Proto', 'https').set('Cookie', String(tls.headers['set-cookie']).split(';')[0]!);
    expect(String(logout.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    const plain = await t.request.post('/api/auth/login').send({ key });
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/i);
  });

  it('ignores X-Forwarded-Proto from a peer it does not trust', async () => {
    const untrusting = await startTestHub({ TRUST_PROXY: '10.0.0.0/8' });
    const k = (await untrusting.request.post('/api/access-keys').set(bearer(untrusting.adminKey)).send({ name: 'b' })).body.key;
    const res = await untrusting.request.post('/api/auth/login').set('X-Forwarded-Proto', 'https').send({ key: k });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/i);
    await untrusting.close();
  });
});
