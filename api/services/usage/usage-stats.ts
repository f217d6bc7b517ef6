/**
 * `GET /api/usage/stats`: per group the calls, errors, tokens, credits and the p50/p95 of the call
 * durations, read from the roll-ups and the hourly buckets (rollup-tiers.ts says which covers what)
 * and, for the partial hours at the range's ends, from the call rows. Percentiles come from the
 * merged duration histograms (within 1.8 % of the exact nearest-rank values); everything else is
 * exact. One user's statistics read that user's roll-ups and buckets only.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { nanoToCredits } from '../../lib/decimal.js';
import type { UsageGroupBy, UsageStatRow } from '../../wire/usage.js';
import { binOf, DurationCounts } from './duration-histogram.js';
import { planSegments, type Segment, type Tier } from './rollup-tiers.js';
import { readRollupState } from './usage-rollup-job.js';
import { staleHours } from './stale-hours.js';

export const GROUPS = ['day', 'model', 'provider', 'app', 'user', 'type'] as const satisfies readonly UsageGroupBy[];
export type GroupBy = (typeof GROUPS)[number];
export type { UsageStatRow };

export interface UsageQuery {
  from: Date;
  to: Date;
  groupBy: GroupBy;
  userDid?: string;
}

interface Acc {
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  creditsNano: bigint;
  durations: DurationCounts;
}

type Amounts = { calls: number | string; errors: number | string; inputTokens: number | string; outputTokens: number | string; creditsNano: number | string };

const AMOUNTS = `"calls", "errors", "inputTokens", "outputTokens", CAST("creditsNano" AS TEXT) AS "creditsNano"`;
const dayOf = (v: string | Date) => new Date(v).toISOString().slice(0, 10);

function tiersFor(q: UsageQuery): Tier[] {
  // The roll-ups keep no call type: a breakdown by type sums the hourly buckets.
  if (q.groupBy === 'type') return [];
  if (q.userDid) return q.groupBy === 'day' ? ['day'] : ['day', 'day8', 'day64'];
  return q.groupBy === 'day' ? ['hour', 'day'] : ['hour', 'day', 'day8', 'day64'];
}

const ZERO: Amounts = { calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, creditsNano: 0 };

/** The group of buckets, as SQL. */
function bucketKey(groupBy: GroupBy, postgres: boolean): string {
  switch (groupBy) {
    case 'day':
      return postgres ? `to_char("periodStart" AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `substr("periodStart", 1, 10)`;
    case 'model':
      return `"model"`;
    case 'provider':
      return `"providerId"`;
    case 'app':
      return `"appId"`;
    case 'user':
      return `"userDid"`;
    case 'type':
      // Qualified: json_each (read beside the buckets for their histograms) has a "type" too.
      return `usages."type"`;
  }
}

/** The group of a call row. */
function groupOf(q: UsageQuery, r: { createdAt: string | Date; model: string; providerId: string | null; appId: string | null; userDid: string | null; type: string }): string {
  switch (q.groupBy) {
    case 'day':
      return dayOf(r.createdAt);
    case 'model':
      return r.model;
    case 'provider':
      return r.providerId ?? '';
    case 'app':
      return r.appId ?? '';
    case 'user':
      return r.userDid ?? '';
    case 'type':
      return r.type;
  }
}

/** The group of a roll-up row: its key, or for one user's rows a part of it. */
function groupOfRollup(q: UsageQuery, r: { periodStart: string | Date; key: string }): string {
  if (q.groupBy === 'day') return dayOf(r.periodStart);
  if (!q.userDid) return r.key;
  if (q.groupBy === 'user') return q.userDid;
  const [appId, model, providerId] = JSON.parse(r.key) as [string, string, string];
  return q.groupBy === 'model' ? model : q.groupBy === 'provider' ? providerId : appId;
}

function accumulator() {
  const groups = new Map<string, Acc>();
  const get = (key: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, creditsNano: 0n, durations: new DurationCounts() }));
    return g;
  };
  const add = (key: string, a: Amounts) => {
    const g = get(key);
    g.calls += Number(a.calls);
    g.errors += Number(a.errors);
    g.inputTokens += Number(a.inputTokens);
    g.outputTokens += Number(a.outputTokens);
    g.creditsNano += BigInt(a.creditsNano);
    return g;
  };
  return { groups, add };
}

async function readSegment(sequelize: Sequelize, q: UsageQuery, s: Segment, acc: ReturnType<typeof accumulator>): Promise<void> {
  const replacements = { start: new Date(s.start), end: new Date(s.end), userDid: q.userDid ?? '' };
  const user = q.userDid ? ` AND "userDid" = :userDid` : '';
  if (s.source === 'calls') {
    type Row = { createdAt: string | Date; model: string; providerId: string | null; appId: string | null; userDid: string | null; type: string; status: string; inputTokens: number; outputTokens: number; creditsNano: number | string; duration: number | null };
    const rows = await sequelize.query<Row>(
      `SELECT "createdAt", "model", "providerId", "appId", "userDid", "type", "status", "inputTokens", "outputTokens", CAST("creditsNano" AS TEXT) AS "creditsNano", "duration"
       FROM model_calls WHERE "createdAt" >= :start AND "createdAt" < :end AND "status" <> 'processing'${user}`,
      { replacements, type: QueryTypes.SELECT },
    );
    for (const r of rows) {
      const g = acc.add(groupOf(q, r), { calls: 1, errors: r.status === 'failed' ? 1 : 0, inputTokens: r.inputTokens, outputTokens: r.outputTokens, creditsNano: r.creditsNano });
      if (r.duration !== null && r.duration !== undefined) g.durations.add(binOf(r.duration), 1);
    }
  } else if (s.source === 'buckets') {
    // Summed by the database, histograms too: after an upgrade, until the job has caught up, this
    // is most of a range's buckets.
    const postgres = sequelize.getDialect() === 'postgres';
    const key = bucketKey(q.groupBy, postgres);
    const where = `WHERE "periodStart" >= :start AND "periodStart" < :end${user}`;
    const totals = await sequelize.query<Amounts & { k: string }>(
      `SELECT ${key} AS "k", SUM("calls") AS "calls", SUM("errors") AS "errors", SUM("inputTokens") AS "inputTokens", SUM("outputTokens") AS "outputTokens",
              CAST(SUM("creditsNano") AS TEXT) AS "creditsNano" FROM usages ${where} GROUP BY ${key}`,
      { replacements, type: QueryTypes.SELECT },
    );
    for (const r of totals) acc.add(r.k, r);
    const bins = await sequelize.query<{ k: string; bin: number | string; n: number | string }>(
      postgres
        ? `SELECT ${key} AS "k", CAST(j.key AS INTEGER) AS "bin", SUM(CAST(j.value AS BIGINT)) AS "n" FROM usages, json_each_text(usages."durations"::json) AS j ${where} GROUP BY 1, 2`
        : `SELECT ${key} AS "k", CAST(j.key AS INTEGER) AS "bin", SUM(j.value) AS "n" FROM usages, json_each(usages."durations") AS j ${where} GROUP BY 1, 2`,
      { replacements, type: QueryTypes.SELECT },
    );
    for (const r of bins) acc.add(r.k, ZERO).durations.add(Number(r.bin), Number(r.n));
  } else {
    type Row = Amounts & { periodStart: string | Date; key: string; durations: Uint8Array | null };
    const dim = q.userDid ? 'user-key' : q.groupBy === 'day' ? 'all' : q.groupBy;
    const rows = await sequelize.query<Row>(
      `SELECT "periodStart", "key", ${AMOUNTS}, "durations" FROM usage_rollups
       WHERE "tier" = :tier AND "dim" = :dim AND "userDid" = :userDid AND "periodStart" >= :start AND "periodStart" < :end`,
      { replacements: { ...replacements, tier: s.source, dim }, type: QueryTypes.SELECT },
    );
    for (const r of rows) acc.add(groupOfRollup(q, r), r).durations.addBytes(r.durations);
  }
}

export async function usageStats(sequelize: Sequelize, q: UsageQuery): Promise<UsageStatRow[]> {
  const state = await readRollupState(sequelize);
  const rolledUntil = state && state.backfillUntil === null ? state.rolledUntil : 0;
  const stale = rolledUntil ? await staleHours(sequelize, new Date(rolledUntil)) : [];
  const segments = planSegments(q.from.getTime(), q.to.getTime(), { tiers: tiersFor(q), rolledUntil, stale });
  const acc = accumulator();
  for (const s of segments) await readSegment(sequelize, q, s, acc);
  const out: UsageStatRow[] = [];
  for (const [key, g] of acc.groups) {
    if (g.calls <= 0) continue;
    out.push({
      key,
      calls: g.calls,
      errors: g.errors,
      inputTokens: g.inputTokens,
      outputTokens: g.outputTokens,
      credits: nanoToCredits(g.creditsNano),
      p50Ms: g.durations.percentile(50),
      p95Ms: g.durations.percentile(95),
    });
  }
  return q.groupBy === 'day' ? out.sort((a, b) => a.key.localeCompare(b.key)) : out.sort((a, b) => b.calls - a.calls || a.key.localeCompare(b.key));
}
