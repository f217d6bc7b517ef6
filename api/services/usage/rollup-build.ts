/**
 * Builds the roll-ups of one block of a tier, replacing what was there: per hour and per day from
 * the buckets, per 8 and 64 days from the tier below. Each row sums the buckets of one group:
 * everyone's calls per model, provider, app or user (and all of them, per hour and day, for the
 * daily series), and each user's per app, model and provider ('user-key', from a day up), which is
 * what the statistics of one user read.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { sqlLiteral } from '../../store/sql-literal.js';
import { binsToBytes, forEachBin, type DurationBins } from './duration-histogram.js';
import { TIER_MS, type Tier } from './rollup-tiers.js';

export type Dim = 'all' | 'model' | 'provider' | 'app' | 'user' | 'user-key';

const DIMS: Record<Tier, readonly Dim[]> = {
  hour: ['all', 'model', 'provider', 'app', 'user'],
  day: ['all', 'model', 'provider', 'app', 'user', 'user-key'],
  day8: ['model', 'provider', 'app', 'user', 'user-key'],
  day64: ['model', 'provider', 'app', 'user', 'user-key'],
};
const BELOW: Partial<Record<Tier, Tier>> = { day8: 'day', day64: 'day8' };

/** The key of a user's group of buckets ('user-key' rows). */
export const userKeyOf = (appId: string, model: string, providerId: string) => JSON.stringify([appId, model, providerId]);

interface Group {
  dim: Dim;
  userDid: string;
  key: string;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  creditsNano: bigint;
  durations: DurationBins;
}

interface Amounts {
  calls: number | string;
  errors: number | string;
  inputTokens: number | string;
  outputTokens: number | string;
  creditsNano: number | string;
}

function groups() {
  const byKey = new Map<string, Group>();
  return {
    /** `bins`: the source row's histogram as (bin, count) pairs, flat. */
    add(dim: Dim, userDid: string, key: string, a: Amounts, bins: number[]) {
      const id = `${dim}\u0000${userDid}\u0000${key}`;
      let g = byKey.get(id);
      if (!g) byKey.set(id, (g = { dim, userDid, key, calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, creditsNano: 0n, durations: new Map() }));
      g.calls += Number(a.calls);
      g.errors += Number(a.errors);
      g.inputTokens += Number(a.inputTokens);
      g.outputTokens += Number(a.outputTokens);
      g.creditsNano += BigInt(a.creditsNano);
      for (let i = 0; i < bins.length; i += 2) g.durations.set(bins[i]!, (g.durations.get(bins[i]!) ?? 0) + bins[i + 1]!);
    },
    all: () => [...byKey.values()],
  };
}

type BucketRow = Amounts & { userDid: string; appId: string; model: string; providerId: string; durations: string | null };
type RollupRow = Amounts & { dim: Dim; userDid: string; key: string; durations: Buffer | null };

/** Amounts as read for summing: credits as text, exact beyond 2^53 on SQLite too. */
const AMOUNTS = `"calls", "errors", "inputTokens", "outputTokens", CAST("creditsNano" AS TEXT) AS "creditsNano"`;

async function fromBuckets(sequelize: Sequelize, tier: Tier, start: Date, end: Date, t: Transaction) {
  const rows = await sequelize.query<BucketRow>(
    `SELECT "userDid", "appId", "model", "providerId", ${AMOUNTS}, "durations" FROM usages WHERE "periodStart" >= :start AND "periodStart" < :end`,
    { replacements: { start, end }, type: QueryTypes.SELECT, raw: true, transaction: t },
  );
  const dims = DIMS[tier];
  const g = groups();
  for (const r of rows) {
    const bins: number[] = [];
    if (r.durations) for (const [bin, n] of Object.entries(JSON.parse(r.durations) as Record<string, number>)) bins.push(Number(bin), Number(n));
    for (const dim of dims) {
      if (dim === 'all') g.add(dim, '', '', r, bins);
      else if (dim === 'model') g.add(dim, '', r.model, r, bins);
      else if (dim === 'provider') g.add(dim, '', r.providerId, r, bins);
      else if (dim === 'app') g.add(dim, '', r.appId, r, bins);
      else if (dim === 'user') g.add(dim, '', r.userDid, r, bins);
      else g.add(dim, r.userDid, userKeyOf(r.appId, r.model, r.providerId), r, bins);
    }
  }
  return g.all();
}

async function fromTier(sequelize: Sequelize, below: Tier, dims: readonly Dim[], start: Date, end: Date, t: Transaction) {
  const rows = await sequelize.query<RollupRow>(
    `SELECT "dim", "userDid", "key", ${AMOUNTS}, "durations" FROM usage_rollups
     WHERE "tier" = :below AND "periodStart" >= :start AND "periodStart" < :end AND "dim" IN (:dims)`,
    { replacements: { below, start, end, dims }, type: QueryTypes.SELECT, raw: true, transaction: t },
  );
  const g = groups();
  for (const r of rows) {
    const bins: number[] = [];
    if (r.durations) forEachBin(r.durations, (bin, n) => bins.push(bin, n));
    g.add(r.dim, r.userDid, r.key, r, bins);
  }
  return g.all();
}

/** Replaces the roll-ups of the block of `tier` that starts at `start`. Returns how many rows it has. */
export async function rollBlock(sequelize: Sequelize, tier: Tier, start: number, t: Transaction): Promise<number> {
  const from = new Date(start);
  const to = new Date(start + TIER_MS[tier]);
  const below = BELOW[tier];
  const rows = below ? await fromTier(sequelize, below, DIMS[tier], from, to, t) : await fromBuckets(sequelize, tier, from, to, t);
  await sequelize.query('DELETE FROM usage_rollups WHERE "tier" = :tier AND "periodStart" = :from', { replacements: { tier, from }, transaction: t });
  const literal = sqlLiteral(sequelize);
  const head = `INSERT INTO usage_rollups ("tier", "dim", "userDid", "periodStart", "key", "calls", "errors", "inputTokens", "outputTokens", "creditsNano", "durations") VALUES `;
  const period = literal(from);
  for (let i = 0; i < rows.length; i += 200) {
    const values = rows.slice(i, i + 200).map(
      (r) =>
        `(${literal(tier)}, ${literal(r.dim)}, ${literal(r.userDid)}, ${period}, ${literal(r.key)}, ${r.calls}, ${r.errors}, ${r.inputTokens}, ${r.outputTokens}, ${r.creditsNano}, ${literal(binsToBytes(r.durations))})`,
    );
    await sequelize.query(head + values.join(', '), { type: QueryTypes.INSERT, transaction: t });
  }
  return rows.length;
}
