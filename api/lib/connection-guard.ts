/**
 * Connection hygiene for the HTTP server. Node closes an idle keep-alive connection after
 * `keepAliveTimeout` of socket silence, so a client that sends a blank line now and then (HTTP
 * allows them between requests) keeps it open forever; here a connection is idle from the end of its
 * last response (or its opening) to the next request, whatever bytes arrive meanwhile. Open
 * connections are also capped per client address, except for trusted proxies, which carry many
 * clients. No domain imports.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { addressBucket } from './client-address.js';

export interface ConnectionGuardOptions {
  keepAliveTimeoutMs: number;
  /** 0: no cap. */
  maxPerAddress: number;
  /** Peers that are not capped (Express's compiled `trust proxy`). */
  isTrustedProxy?: (address: string) => boolean;
}

interface State {
  bucket: string | null;
  /** Requests received and not yet answered. */
  active: number;
  idleSince: number;
}

export interface ConnectionGuard {
  /** Open connections per address bucket (for tests and metrics). */
  openByAddress(): ReadonlyMap<string, number>;
  stop(): void;
}

export function guardConnections(server: Server, options: ConnectionGuardOptions): ConnectionGuard {
  const { keepAliveTimeoutMs } = options;
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.headersTimeout = keepAliveTimeoutMs + 1000;
  const sockets = new Map<Socket, State>();
  const perAddress = new Map<string, number>();

  const onConnection = (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const capped = options.maxPerAddress > 0 && !options.isTrustedProxy?.(address);
    const bucket = capped ? addressBucket(address) : null;
    if (bucket !== null) {
      const open = perAddress.get(bucket) ?? 0;
      if (open >= options.maxPerAddress) {
        socket.destroy();
        return;
      }
      perAddress.set(bucket, open + 1);
    }
    sockets.set(socket, { bucket, active: 0, idleSince: performance.now() });
    socket.once('close', () => {
      sockets.delete(socket);
      if (bucket === null) return;
      const left = (perAddress.get(bucket) ?? 1) - 1;
      if (left > 0) perAddress.set(bucket, left);
      else perAddress.delete(bucket);
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const state = sockets.get(req.socket);
    if (!state) return;
    state.active += 1;
    res.once('close', () => {
      state.active -= 1;
      if (state.active === 0) state.idleSince = performance.now();
    });
  };

  // Node's own timer closes quiet connections on time; the sweep catches those kept busy with
  // bytes that are no request, a second past the timeout.
  const sweepEveryMs = Math.min(5000, Math.max(100, keepAliveTimeoutMs / 4));
  const sweep = setInterval(() => {
    const deadline = performance.now() - keepAliveTimeoutMs - Math.min(1000, keepAliveTimeoutMs);
    for (const [socket, state] of sockets) if (state.active === 0 && state.idleSince < deadline) socket.destroy();
  }, sweepEveryMs);
  sweep.unref();

  server.on('connection', onConnection);
  server.on('request', onRequest);
  return {
    openByAddress: () => perAddress,
    stop() {
      clearInterval(sweep);
      server.off('connection', onConnection);
      server.off('request', onRequest);
    },
  };
}
