/**
 * Generated call rows for the usage statistics tests, written as the hub writes them (the recorder
 * with the bucket hook, or as the hub did before histograms), and the comparison of the statistics
 * with the reference query over many ranges, groupings and users.
 */
import type { Sequelize } from 'sequelize';
import { expect } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { bucketsOf, createUsageAggregator } from '../../services/recording/usage-aggregator.js';
import { createCallRecorder } from '../../services/recording/call-recorder.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import { GROUPS, usageStats, type UsageStatRow } from '../../services/usage/usage-stats.js';
import type { Models } from '../../store/models/index.js';
import { sqlLiteral } from '../../store/sql-literal.js';
import { modelCallRowOf } from '../helpers/model-call-row.js';
import { referenceStats } from './reference-stats.js';

export interface Store {
  sequelize: Sequelize;
  models: Models;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const USERS = ['user-a', 'user-b', 'user-c'];
const MODELS: [string, string][] = [
  ['openai/gpt-4o-mini', 'p-openai'],
  ['anthropic/claude-sonnet-4-5', 'p-anthropic'],
  ['openai/text-embedding-3-small', 'p-openai'],
];

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Durations of several shapes: fast failures, 0 ms, lognormal answers around a second, a slow tail. */
export function randomDuration(rnd: () => number): number {
  const u = rnd();
  if (u < 0.05) return 0;
  if (u < 0.2) return Math.floor(rnd() * 60);
  const normal = Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
  if (u < 0.95) return Math.round(Math.exp(6.8 + 0.9 * normal));
  return Math.round(20_000 + rnd() * 100_000);
}

/** `count` calls in the given hours (starts), of three users and nobody, three models, two apps. */
export function randomCalls(seed: number, count: number, hours: number[], prefix = 'c'): ModelCallRow[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const [model, providerId] = pick(MODELS);
    const s = rnd();
    const status = s < 0.82 ? 'success' : s < 0.92 ? 'failed' : s < 0.96 ? 'aborted' : 'processing';
    return modelCallRowOf(`${prefix}-${seed}-${i}`, {
      model,
      providerId: rnd() < 0.05 ? null : providerId,
      type: model.includes('embedding') ? 'embedding' : 'chatCompletion',
      status,
      inputTokens: Math.floor(rnd() * 2000),
      outputTokens: Math.floor(rnd() * 800),
      creditsNano: Math.floor(rnd() * 5_000_000),
      duration: status === 'processing' || rnd() < 0.04 ? null : randomDuration(rnd),
      userDid: rnd() < 0.1 ? null : pick(USERS),
      appId: pick(['app-1', 'app-2', null]),
      createdAt: new Date(pick(hours) + Math.floor(rnd() * HOUR)),
    });
  });
}

/** Writes rows as the hub does: through the recorder, with the usage buckets in the same transaction. */
export async function recordCalls(store: Store, rows: ModelCallRow[]): Promise<void> {
  const recorder = createCallRecorder(store.models, createLogger({ level: 'silent' }));
  recorder.onFlush(createUsageAggregator(store.sequelize, () => 0));
  for (const row of rows) recorder.enqueue({ ...row });
  await recorder.flush();
}

/** Writes rows and their buckets as the hub did before buckets had errors and durations. */
export async function recordCallsAsBefore(store: Store, rows: ModelCallRow[]): Promise<void> {
  const literal = sqlLiteral(store.sequelize);
  // An older hub's table: columns later migrations add are not there yet.
  const existing = await store.sequelize.getQueryInterface().describeTable('model_calls');
  const columns = Object.keys(rows[0]!).filter((c) => c in existing);
  for (let i = 0; i < rows.length; i += 200) {
    const values = rows.slice(i, i + 200).map((r) => `(${columns.map((c) => literal((r as Record<string, unknown>)[c] ?? null)).join(', ')})`);
    await store.sequelize.query(`INSERT INTO model_calls (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`);
  }
  // Calls closed as interrupted at a start were never bucketed.
  const buckets = bucketsOf(rows.filter((r) => r.errorCode !== 'interrupted'), () => 0);
  const fields = ['id', 'periodStart', 'userDid', 'appId', 'model', 'providerId', 'type', 'calls', 'inputTokens', 'outputTokens', 'creditsNano', 'reportedCreditsNano'] as const;
  for (let i = 0; i < buckets.length; i += 200) {
    const values = buckets.slice(i, i + 200).map((b) => `(${fields.map((f) => literal(b[f])).join(', ')}, ${literal(b.periodStart)}, ${literal(b.periodStart)})`);
    await store.sequelize.query(`INSERT INTO usages (${fields.map((f) => `"${f}"`).join(', ')}, "createdAt", "updatedAt") VALUES ${values.join(', ')}`);
  }
}

/** The statistics equal the reference's: amounts exactly, percentiles within 2 % (exact under 56 ms). */
export function expectSameStats(actual: UsageStatRow[], expected: UsageStatRow[], label: string): void {
  const strip = (rows: UsageStatRow[]) => rows.map(({ p50Ms: _p50, p95Ms: _p95, ...rest }) => rest);
  expect(strip(actual), label).toEqual(strip(expected));
  for (const [i, e] of expected.entries()) {
    for (const p of ['p50Ms', 'p95Ms'] as const) {
      const a = actual[i]![p];
      const x = e[p];
      if (x === null || x < 56) expect(a, `${label} ${e.key} ${p}`).toBe(x);
      else expect(Math.abs(a! - x) / x, `${label} ${e.key} ${p}: ${a} against ${x}`).toBeLessThanOrEqual(0.02);
    }
  }
}

/** Ranges over the data: its whole span, whole days, ragged ends, one hour, across one hour's end. */
export function rangesOver(start: number, end: number): [Date, Date][] {
  const day = (t: number) => Math.floor(t / DAY) * DAY;
  return [
    [start - HOUR, end + HOUR],
    [day(start) + 3 * DAY, day(end) - 2 * DAY],
    [start + 37 * 60_000 + 12_345, end - 5 * HOUR - 3 * 60_000],
    [day(start) + 9 * DAY + 7 * HOUR + 1, day(start) + 41 * DAY + 13 * HOUR + 59 * 60_000],
    [day(start) + 20 * DAY + 11 * HOUR + 5 * 60_000, day(start) + 20 * DAY + 11 * HOUR + 55 * 60_000],
    [day(start) + 30 * DAY + 5 * HOUR + 50 * 60_000, day(start) + 30 * DAY + 6 * HOUR + 10 * 60_000],
  ].map(([a, b]) => [new Date(a!), new Date(b!)]);
}

/** Every grouping, for everyone and for each user, over each range: the same as the reference. */
export async function expectStatsAsReference(sequelize: Sequelize, ranges: [Date, Date][], label = '', users: (string | undefined)[] = [undefined, ...USERS]): Promise<number> {
  let compared = 0;
  for (const [from, to] of ranges) {
    for (const groupBy of GROUPS) {
      for (const userDid of users) {
        const q = { from, to, groupBy, userDid };
        const expected = await referenceStats(sequelize, q);
        expectSameStats(await usageStats(sequelize, q), expected, `${label} ${groupBy} ${userDid ?? 'everyone'} ${from.toISOString()}..${to.toISOString()}`);
        compared += expected.length;
      }
    }
  }
  return compared;
}
