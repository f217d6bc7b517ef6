/** Entry point: config → hub (db, migrations, services, app) → listen; graceful shutdown. */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigError, loadConfig } from './config.js';
import { createHub } from './hub.js';
import { guardConnections } from './lib/connection-guard.js';
import { limitHeapGrowth } from './lib/heap-growth.js';

async function main(): Promise<void> {
  let config;
  try {
    config = await loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  limitHeapGrowth(config.heapGrowthPercent);
  const hub = await createHub(config);
  const server = createServer(hub.app);
  const trustProxy = hub.app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  guardConnections(server, {
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    maxPerAddress: config.maxConnectionsPerAddress,
    isTrustedProxy: (address) => trustProxy(address, 0),
  });
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  hub.logger.info('AIGNE Hub listening', { processMs: Math.round(process.uptime() * 1000), url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, dataDir: config.dataDir, database: config.databaseUrl ? 'postgres' : 'sqlite' });

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.logger.info('shutting down', { signal });
    // Stop accepting; let in-flight requests finish, closing idle keep-alive sockets now.
    server.close();
    server.closeIdleConnections();
    const deadline = setTimeout(() => {
      hub.logger.warn('in-flight requests did not finish in time; closing them');
      for (const socket of sockets) socket.destroy();
    }, 25_000);
    deadline.unref();
    await new Promise<void>((resolve) => {
      const check = () => (sockets.size === 0 ? resolve() : setTimeout(check, 50));
      check();
    });
    clearTimeout(deadline);
    await hub.close();
    hub.logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`AIGNE Hub failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
