/**
 * Rate limiters (rate-limiter-flexible) on the store the hub runs on: counters in memory on SQLite
 * (one instance), in the `rate_limits` table on PostgreSQL, so that a limit holds across instances.
 * Should the table be unreachable, the PostgreSQL limiter counts in memory until it is back.
 */
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { isPostgres } from './sequelize.js';

export const RATE_LIMIT_TABLE = 'rate_limits';

export interface LimiterOptions {
  /** Unique among the hub's limiters: it prefixes every key. */
  name: string;
  /** Points allowed per window. */
  points: number;
  windowSeconds: number;
}

export function createLimiter(sequelize: Sequelize, options: LimiterOptions): RateLimiterAbstract {
  const common = { keyPrefix: options.name, points: options.points, duration: options.windowSeconds };
  if (!isPostgres(sequelize)) return new RateLimiterMemory(common);
  return new RateLimiterPostgres({
    ...common,
    storeClient: sequelize,
    storeType: 'sequelize',
    tableName: RATE_LIMIT_TABLE,
    // Created by the migrations; expired rows are cleared every 5 minutes.
    tableCreated: true,
    clearExpiredByTimeout: true,
    insuranceLimiter: new RateLimiterMemory(common),
  });
}
