/**
 * Fills a store the way a busy quarter would: `calls` ModelCall rows spread evenly over `days` up to
 * the current hour (users, each in one of ten apps, and models picked at random, `failedShare` of
 * them failed), written straight into the database with their hourly usage buckets as the hub
 * wrote them before buckets had errors and durations (the store then upgrades at the hub's start,
 * as a real one would). Rows look like the hub's own: UUIDv7 ids, trace and request ids, exact
 * credits, an error text on failures.
 */
import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { bucketsOf } from '../../../api/services/recording/usage-aggregator.js';
import type { ModelCallRow } from '../../../api/store/models/model-call.js';
import { sqlLiteral } from '../../../api/store/sql-literal.js';
import { random } from './random.js';

export interface FillSpec {
  calls: number;
  days: number;
  users: number;
  models: number;
  failedShare: number;
  seed: number;
}

export interface FillResult {
  calls: number;
  buckets: number;
  from: Date;
  to: Date;
  users: string[];
  models: string[];
  ms: number;
}

const HOUR = 3_600_000;
const MODELS: [string, string, number, number][] = [
  ['openai/gpt-4o-mini', 'prov-openai', 150, 600],
  ['anthropic/claude-sonnet-4-5', 'prov-anthropic', 3000, 15000],
  ['google/gemini-2.5-flash', 'prov-google', 300, 2500],
  ['openai/gpt-4o', 'prov-openai', 2500, 10000],
  ['deepseek/deepseek-chat', 'prov-deepseek', 270, 1100],
  ['xai/grok-3-mini', 'prov-xai', 300, 500],
  ['openrouter/meta-llama/llama-3.3-70b-instruct', 'prov-openrouter', 120, 300],
];

export const benchUser = (i: number) => `z1bench${String(i).padStart(3, '0')}${'x'.repeat(24)}`;

function uuid7(ms: number, rnd: () => number): string {
  const time = ms.toString(16).padStart(12, '0');
  const hex = Array.from({ length: 19 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex.slice(0, 3)}-${'89ab'[Math.floor(rnd() * 4)]}${hex.slice(4, 7)}-${hex.slice(7, 19)}`;
}

const lognormal = (rnd: () => number, median: number, sigma: number) =>
  Math.round(median * Math.exp(sigma * Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd())));

/** The calls of one hour. */
function hourOfCalls(spec: FillSpec, hour: number, count: number, rnd: () => number, users: string[], models: typeof MODELS): ModelCallRow[] {
  const rows: ModelCallRow[] = [];
  const times = Array.from({ length: count }, () => hour + Math.floor(rnd() * HOUR)).sort((a, b) => a - b);
  for (const at of times) {
    const u = Math.floor(rnd() * users.length);
    const [model, providerId, inNano, outNano] = models[Math.floor(rnd() * models.length)]!;
    const failed = rnd() < spec.failedShare;
    const inputTokens = failed ? 0 : 200 + Math.floor(rnd() * 3800);
    const outputTokens = failed ? 0 : 20 + Math.floor(rnd() * 1200);
    const duration = failed ? lognormal(rnd, 180, 0.9) : lognormal(rnd, 900, 0.8);
    const stream = rnd() < 0.6;
    const createdAt = new Date(at);
    rows.push({
      id: uuid7(at, rnd),
      traceId: randomBytes(16).toString('hex'),
      accessKeyId: null,
      requestId: uuid7(at, rnd),
      model,
      providerId,
      credentialId: `cred-${providerId}`,
      type: 'chatCompletion',
      status: failed ? 'failed' : 'success',
      stream,
      inputTokens,
      outputTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      creditsNano: inputTokens * inNano + outputTokens * outNano,
      usageEstimated: false,
      attempts: 1,
      duration,
      ttfb: Math.min(duration, lognormal(rnd, 350, 0.5)),
      providerTtfb: Math.min(duration, lognormal(rnd, 330, 0.5)),
      errorReason: failed ? 'Rate limit reached for requests per minute on this organization; please retry after 20s' : null,
      errorCode: failed ? 'rate_limit_error' : null,
      userDid: users[u]!,
      appId: `app-${u % 10}`,
      createdAt,
      updatedAt: new Date(at + duration),
    });
  }
  return rows;
}

const CALL_COLUMNS: (keyof ModelCallRow)[] = [
  'id', 'traceId', 'requestId', 'model', 'providerId', 'credentialId', 'type', 'status', 'stream', 'inputTokens', 'outputTokens', 'cacheReadTokens',
  'cacheWriteTokens', 'creditsNano', 'usageEstimated', 'attempts', 'duration', 'ttfb', 'providerTtfb', 'errorReason', 'errorCode', 'userDid', 'appId', 'createdAt', 'updatedAt',
];
const BUCKET_COLUMNS = ['id', 'periodStart', 'userDid', 'appId', 'model', 'providerId', 'type', 'calls', 'inputTokens', 'outputTokens', 'creditsNano', 'reportedCreditsNano'] as const;

/** Inserts the calls and their (pre-histogram) buckets, an hour of calls per transaction. */
export async function fillStore(sequelize: Sequelize, spec: FillSpec, log: (line: string) => void): Promise<FillResult> {
  const started = Date.now();
  const rnd = random(spec.seed);
  const literal = sqlLiteral(sequelize);
  const users = Array.from({ length: spec.users }, (_, i) => benchUser(i));
  const models = MODELS.slice(0, spec.models);
  const hours = spec.days * 24;
  const to = Math.floor(Date.now() / HOUR) * HOUR;
  const from = to - hours * HOUR;
  const callHead = `INSERT INTO model_calls (${CALL_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES `;
  const bucketHead = `INSERT INTO usages (${BUCKET_COLUMNS.map((c) => `"${c}"`).join(', ')}, "createdAt", "updatedAt") VALUES `;
  let written = 0;
  let buckets = 0;
  // A day of calls per transaction.
  for (let day = 0; day < hours; day += 24) {
    const rows: ModelCallRow[] = [];
    const dayBuckets: ReturnType<typeof bucketsOf> = [];
    for (let h = day; h < Math.min(day + 24, hours); h++) {
      const count = Math.floor(((h + 1) * spec.calls) / hours) - Math.floor((h * spec.calls) / hours);
      const hourRows = hourOfCalls(spec, from + h * HOUR, count, rnd, users, models);
      rows.push(...hourRows);
      dayBuckets.push(...bucketsOf(hourRows, () => 0));
    }
    await sequelize.transaction(async (t) => {
      // A page cache that holds the indexes being filled (SQLite's default is 2 MB).
      if (sequelize.getDialect() === 'sqlite') await sequelize.query('PRAGMA cache_size = -262144', { transaction: t });
      for (let i = 0; i < rows.length; i += 500) {
        const values = rows.slice(i, i + 500).map((r) => `(${CALL_COLUMNS.map((c) => literal(r[c] ?? null)).join(', ')})`);
        await sequelize.query(callHead + values.join(', '), { type: QueryTypes.INSERT, transaction: t });
      }
      for (let i = 0; i < dayBuckets.length; i += 500) {
        const values = dayBuckets.slice(i, i + 500).map((b) => `(${BUCKET_COLUMNS.map((c) => literal(b[c])).join(', ')}, ${literal(b.periodStart)}, ${literal(b.periodStart)})`);
        await sequelize.query(bucketHead + values.join(', '), { type: QueryTypes.INSERT, transaction: t });
      }
    });
    written += rows.length;
    buckets += dayBuckets.length;
    if ((day / 24 + 1) % 10 === 0) log(`  filled ${day / 24 + 1} of ${spec.days} days: ${written.toLocaleString('en')} calls, ${buckets.toLocaleString('en')} buckets (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  return { calls: written, buckets, from: new Date(from), to: new Date(to), users, models: models.map((m) => m[0]), ms: Date.now() - started };
}
