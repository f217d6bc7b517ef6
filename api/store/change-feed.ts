/**
 * Cross-instance cache invalidation and liveness on PostgreSQL.
 *
 * Several hub processes on one database keep read caches (routing snapshot, access keys). A write
 * on one instance is published with NOTIFY on one channel; every other instance LISTENs on a
 * dedicated connection and drops the matching cache at once. The caches' TTLs remain the fallback
 * bound while that connection is down (after a reconnect everything is invalidated, since
 * notifications may have been missed).
 *
 * The same connection holds a shared advisory lock for as long as the process lives. A starting
 * instance that can take that lock exclusively knows no other hub is running on the database, so
 * whatever is left `processing` belongs to a dead process.
 *
 * On SQLite (one process per file) the feed does nothing and the instance is always alone.
 */
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../lib/logger.js';

const CHANGE_CHANNEL = 'aigne_hub_changes';
/** Advisory lock key held (shared) by every live hub on the database. */
const INSTANCE_LOCK_KEY = 0x41_49_48_42; // 'AIHB'

export type ChangeTopic = 'providers' | 'access-keys' | 'limits';

/** How the listening connection shows in pg_stat_activity. */
export const feedApplicationName = (instanceId: string) => `aigne-hub-changes:${instanceId}`;

export interface ChangeEvent {
  /** `resync` after a reconnect of the listening connection: drop every cache. */
  topic: ChangeTopic | 'resync';
  data: Record<string, unknown>;
}

export interface ChangeFeed {
  readonly instanceId: string;
  /** True when no other hub process was running on the database when this one started. */
  readonly alone: boolean;
  /** Tells the other instances (never this one) about a committed change. */
  publish(topic: ChangeTopic, data?: Record<string, unknown>): void;
  subscribe(listener: (event: ChangeEvent) => void): void;
  /** Start-up work that needed to know `alone` is done: join the other instances. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'notification', fn: (msg: { channel: string; payload?: string }) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'end', fn: () => void): void;
}

type PgClientClass = new (config: { connectionString: string; application_name?: string }) => PgClient;

function singleProcessFeed(): ChangeFeed {
  return {
    instanceId: randomUUID(),
    alone: true,
    publish() {},
    subscribe() {},
    async ready() {},
    async close() {},
  };
}

export interface ChangeFeedOptions {
  sequelize: Sequelize;
  databaseUrl?: string;
  logger: Logger;
  /** First delay before reconnecting the listening connection (doubles up to 30 s). */
  reconnectMs?: number;
}

export async function openChangeFeed(options: ChangeFeedOptions): Promise<ChangeFeed> {
  const { sequelize, databaseUrl, logger } = options;
  if (sequelize.getDialect() !== 'postgres' || !databaseUrl) return singleProcessFeed();

  const Client = (sequelize.connectionManager as unknown as { lib: { Client: PgClientClass } }).lib.Client;
  const instanceId = randomUUID();
  const listeners: ((event: ChangeEvent) => void)[] = [];
  const firstRetryMs = options.reconnectMs ?? 500;
  let client: PgClient | null = null;
  let closed = false;
  let joined = false;
  let retryMs = firstRetryMs;
  let retryTimer: NodeJS.Timeout | null = null;

  const emit = (event: ChangeEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.warn('change listener failed', { err, topic: event.topic });
      }
    }
  };

  const onNotification = (msg: { channel: string; payload?: string }) => {
    if (msg.channel !== CHANGE_CHANNEL || !msg.payload) return;
    let parsed: { from?: string; topic?: ChangeTopic; data?: Record<string, unknown> };
    try {
      parsed = JSON.parse(msg.payload);
    } catch {
      return;
    }
    if (parsed.from === instanceId || (parsed.topic !== 'providers' && parsed.topic !== 'access-keys' && parsed.topic !== 'limits')) return;
    emit({ topic: parsed.topic, data: parsed.data ?? {} });
  };

  const lost = (c: PgClient, err?: Error) => {
    if (client !== c) return;
    client = null;
    void c.end().catch(() => {});
    if (closed) return;
    logger.warn('change feed connection lost; caches fall back to their TTLs until it is back', { err });
    scheduleReconnect();
  };

  const connect = async (): Promise<PgClient> => {
    const c = new Client({ connectionString: databaseUrl, application_name: feedApplicationName(instanceId) });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', onNotification);
    await c.connect();
    client = c;
    await c.query(`LISTEN ${CHANGE_CHANNEL}`);
    return c;
  };

  const scheduleReconnect = () => {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(async () => {
      retryTimer = null;
      try {
        const c = await connect();
        if (joined) await c.query('SELECT pg_advisory_lock_shared($1)', [INSTANCE_LOCK_KEY]);
        retryMs = firstRetryMs;
        logger.info('change feed reconnected');
        emit({ topic: 'resync', data: {} });
      } catch (err) {
        logger.warn('change feed reconnect failed', { err });
        if (client) lost(client, err as Error);
        retryMs = Math.min(retryMs * 2, 30_000);
        scheduleReconnect();
      }
    }, retryMs);
    retryTimer.unref();
  };

  const first = await connect();
  const { rows } = await first.query('SELECT pg_try_advisory_lock($1) AS "alone"', [INSTANCE_LOCK_KEY]);
  const alone = rows[0]?.alone === true;

  return {
    instanceId,
    alone,
    publish(topic, data = {}) {
      const payload = JSON.stringify({ from: instanceId, topic, data });
      void sequelize
        .query('SELECT pg_notify(:channel, :payload)', { replacements: { channel: CHANGE_CHANNEL, payload } })
        .catch((err) => logger.warn('publishing a change failed; other instances see it within their cache TTL', { err, topic }));
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async ready() {
      if (joined) return;
      joined = true;
      const c = client;
      if (!c) return; // the reconnect takes the shared lock
      // Shared first, then drop the exclusive hold: no moment where a starting peer sees nobody.
      await c.query('SELECT pg_advisory_lock_shared($1)', [INSTANCE_LOCK_KEY]);
      if (alone) await c.query('SELECT pg_advisory_unlock($1)', [INSTANCE_LOCK_KEY]);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
