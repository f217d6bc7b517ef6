/**
 * issue 28 finding 8, on the real entry point: the databases are private files, idle keep-alive
 * connections close after KEEP_ALIVE_TIMEOUT_MS whatever they send, open connections are capped per
 * address; and `/__blocklet__.js` names the configured public URL rather than the request's Host.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/gateway.js';
import { makeTempDir, startTestHub } from './helpers/hub.js';
import { startHubProcess, type HubProcess } from './postgres/hub-process.js';

interface RawConnection {
  socket: net.Socket;
  received: () => string;
  closed: () => boolean;
}

async function connect(port: number): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  let closed = false;
  socket.on('data', (d) => (data += d));
  socket.on('error', () => {});
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { socket, received: () => data, closed: () => closed };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('files and connections of a running hub', () => {
  let hub: HubProcess;
  let port: number;
  const dataDir = makeTempDir();

  beforeAll(async () => {
    // An install from before: the database file exists, readable by everyone.
    fs.writeFileSync(path.join(dataDir, 'aikit.db'), '', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'aikit.db'), 0o644);
    hub = await startHubProcess({
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: 'connections-admin-key-000000',
      // Long enough that a busy connection is seen busy on a loaded machine, short for the test.
      KEEP_ALIVE_TIMEOUT_MS: '3000',
      MAX_CONNECTIONS_PER_ADDRESS: '4',
      // Loopback is a trusted proxy by default, and proxies are not capped.
      TRUST_PROXY: 'false',
    });
    port = Number(new URL(hub.url).port);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('keeps aikit.db, observability.db and their WAL files readable by the hub user only', () => {
    const names = ['aikit.db', 'observability.db'].flatMap((db) => [db, `${db}-wal`, `${db}-shm`]);
    const files = names.map((f) => path.join(dataDir, f)).filter((f) => fs.existsSync(f));
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['aikit.db', 'observability.db']));
    for (const f of files) expect(mode(f), f).toBe(0o600);
    expect(mode(path.join(dataDir, 'secret.key'))).toBe(0o600);
    expect(mode(path.join(dataDir, 'journal'))).toBe(0o700);
  });

  it('closes an idle keep-alive connection that keeps sending blank lines', async () => {
    const c = await connect(port);
    c.socket.write('GET /api/health HTTP/1.1\r\nHost: hub\r\n\r\n');
    await waitFor(async () => c.received().includes('"status":"ok"'));
    // Blank lines between requests are allowed by HTTP, and reset Node's own idle timer.
    const drip = setInterval(() => c.socket.writable && c.socket.write('\r\n'), 200);
    try {
      await waitFor(async () => c.closed(), 30_000);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes a connection that never sends a request', async () => {
    const c = await connect(port);
    await waitFor(async () => c.closed(), 30_000);
    expect(c.received()).toBe('');
  });

  it('caps open connections per client address', async () => {
    // Four connections with a request in flight (the body never comes): busy, not idle.
    const busy = await Promise.all([0, 1, 2, 3].map(() => connect(port)));
    for (const c of busy) c.socket.write('POST /api/auth/login HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const fifth = await connect(port);
    fifth.socket.write('GET /api/health HTTP/1.1\r\nHost: hub\r\n\r\n');
    await waitFor(async () => fifth.closed(), 15_000);
    expect(fifth.received()).toBe('');
    expect(busy.some((c) => c.closed())).toBe(false);

    // One leaves; a new connection is served.
    busy[0]!.socket.destroy();
    await waitFor(async () => {
      const res = await fetch(`${hub.url}/api/health`, { headers: { connection: 'close' } }).catch(() => undefined);
      return res?.status === 200;
    });
    for (const c of busy) c.socket.destroy();
  });
});

describe('/__blocklet__.js', () => {
  it('names the configured public URL, whatever the Host header says', async () => {
    const t = await startTestHub({ AIGNE_HUB_PUBLIC_URL: 'https://hub.example.com/' });
    const res = await t.request.get('/__blocklet__.js?type=json').set('Host', 'evil.example');
    expect(res.body.appUrl).toBe('https://hub.example.com');
    const js = await t.request.get('/__blocklet__.js').set('Host', 'evil.example');
    expect(js.text).not.toContain('evil.example');
    await t.close();
  });

  it('without one, names the request host only when it is a host name', async () => {
    const t = await startTestHub();
    expect((await t.request.get('/__blocklet__.js?type=json').set('Host', 'hub.local:3030')).body.appUrl).toBe('http://hub.local:3030');
    expect((await t.request.get('/__blocklet__.js?type=json').set('Host', '[::1]:3030')).body.appUrl).toBe('http://[::1]:3030');
    const tls = await t.request.get('/__blocklet__.js?type=json').set('Host', 'hub.local').set('X-Forwarded-Proto', 'https');
    expect(tls.body.appUrl).toBe('https://hub.local');
    for (const host of ['evil.example/"</script>', 'a b', 'x@evil.example']) {
      const res = await t.request.get('/__blocklet__.js?type=json').set('Host', host);
      expect(res.status, host).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain(host);
    }
    await t.close();
  });
});
