import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseByteSize, parseConfig } from './config.js';

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = parseConfig({}, { cwd: '/srv/hub' });
    expect(c.port).toBe(3030);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toBe(path.resolve('/srv/hub/data'));
    expect(c.sqlitePath).toBe(path.resolve('/srv/hub/data/aikit.db'));
    expect(c.creditBillingEnabled).toBe(false);
    expect(c.maxBodySize).toBe(10 * 1024 * 1024);
    expect(c.upstreamTimeoutMs).toBe(120_000);
    expect(c.newUserCreditGrant).toBe('0');
    expect(c.blocklet.enabled).toBe(false);
    expect(c.heapGrowthPercent).toBe(100);
    expect(c.cacheTtlMs).toEqual({ accessKeys: 3000, routing: 5000 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes AIGNE_HUB_DATA_DIR over BLOCKLET_DATA_DIR', () => {
    expect(parseConfig({ BLOCKLET_DATA_DIR: '/b' }).dataDir).toBe('/b');
    expect(parseConfig({ BLOCKLET_DATA_DIR: '/b', AIGNE_HUB_DATA_DIR: '/a' }).dataDir).toBe('/a');
  });

  it('parses sizes and booleans', () => {
    expect(parseByteSize('512kb')).toBe(512 * 1024);
    expect(parseConfig({ MAX_BODY_SIZE: '1mb', CREDIT_BASED_BILLING_ENABLED: 'true' })).toMatchObject({ maxBodySize: 1048576, creditBillingEnabled: true });
    expect(parseConfig({ HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(parseConfig({}).tracing.sampleRatio).toBe(1);
    expect(parseConfig({ TRACE_SAMPLE_RATIO: '0.25' }).tracing.sampleRatio).toBe(0.25);
    expect(parseConfig({ TRACE_SAMPLE_RATIO: '0' }).tracing.sampleRatio).toBe(0);
    expect(parseConfig({ ACCESS_KEY_CACHE_TTL_MS: '600000', ROUTING_CACHE_TTL_MS: '700000' }).cacheTtlMs).toEqual({ accessKeys: 600_000, routing: 700_000 });
    expect(() => parseConfig({ ROUTING_CACHE_TTL_MS: '0' })).toThrow(/ROUTING_CACHE_TTL_MS/);
  });

  it('detects Blocklet Server only with app id, service port and a key', () => {
    expect(parseConfig({ BLOCKLET_APP_ID: 'z1', ABT_NODE_SERVICE_PORT: '8080' }).blocklet.enabled).toBe(false);
    expect(parseConfig({ BLOCKLET_APP_ID: 'z1', ABT_NODE_SERVICE_PORT: '8080', BLOCKLET_APP_ASK: 'x' }).blocklet.enabled).toBe(true);
  });

  it('serves the dashboard from the app’s folder inside Blocklet Server', () => {
    expect(parseConfig({ BLOCKLET_APP_DIR: '/srv/app' }, { cwd: '/elsewhere' }).webDir).toBe('/srv/app/dist/web');
    expect(parseConfig({}, { cwd: '/elsewhere' }).webDir).toBe('/elsewhere/dist/web');
  });

  it('listens on the port Blocklet Server assigns', () => {
    expect(parseConfig({ PORT: '4000', BLOCKLET_PORT: '41335' }).port).toBe(41335);
    expect(parseConfig({ PORT: '4000' }).port).toBe(4000);
  });

  it('reads the outbound proxies, lower case first as curl does', () => {
    expect(parseConfig({}).proxy).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: undefined });
    const c = parseConfig({ HTTP_PROXY: 'http://upper:3128', http_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://tls:3128', NO_PROXY: 'localhost,.internal' });
    expect(c.proxy).toEqual({ httpProxy: 'http://lower:3128', httpsProxy: 'http://tls:3128', noProxy: 'localhost,.internal' });
    expect(() => parseConfig({ HTTPS_PROXY: 'proxy.example.com:3128' })).toThrow(/HTTPS_PROXY/);
  });

  it('rejects bad values with messages naming each variable', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({ PORT: 'eighty', CREDIT_BASED_BILLING_ENABLED: 'maybe', DATABASE_URL: 'mysql://x', MAX_BODY_SIZE: 'huge', NEW_USER_CREDIT_GRANT: '-5', HEAP_GROWTH_PERCENT: '-1', TRACE_SAMPLE_RATIO: '1.5' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.message;
    for (const name of ['PORT', 'CREDIT_BASED_BILLING_ENABLED', 'DATABASE_URL', 'MAX_BODY_SIZE', 'NEW_USER_CREDIT_GRANT', 'HEAP_GROWTH_PERCENT', 'TRACE_SAMPLE_RATIO']) expect(text).toContain(name);
    expect(text).toContain('eighty');
  });

  it('reads the public URL, session idle time and connection limits', () => {
    expect(parseConfig({})).toMatchObject({ appUrl: undefined, sessionIdleMs: 120 * 60_000, keepAliveTimeoutMs: 65_000, maxConnectionsPerAddress: 256 });
    expect(parseConfig({ AIGNE_HUB_PUBLIC_URL: 'https://hub.example.com/', BLOCKLET_APP_URL: 'https://b.example' }).appUrl).toBe('https://hub.example.com');
    expect(parseConfig({ BLOCKLET_APP_URL: 'https://b.example' }).appUrl).toBe('https://b.example');
    expect(parseConfig({ SESSION_IDLE_MINUTES: '15', KEEP_ALIVE_TIMEOUT_MS: '5000', MAX_CONNECTIONS_PER_ADDRESS: '0' })).toMatchObject({ sessionIdleMs: 900_000, keepAliveTimeoutMs: 5000, maxConnectionsPerAddress: 0 });
    for (const env of [{ AIGNE_HUB_PUBLIC_URL: 'hub.example.com' }, { SESSION_IDLE_MINUTES: '0' }, { KEEP_ALIVE_TIMEOUT_MS: 'soon' }, { MAX_CONNECTIONS_PER_ADDRESS: '-1' }]) {
      expect(() => parseConfig(env), JSON.stringify(env)).toThrow(new RegExp(Object.keys(env)[0]!));
    }
  });
});
