/** Calls and credits per access key since a moment (a member's "this month" per key), from the ModelCall rows. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { nanoToCredits } from '../lib/decimal.js';

export interface KeyUsage {
  calls: number;
  credits: string;
}

/** The first instant of the UTC month of `at`. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** `keyIds` are keys of `userDid`: their calls are found among the user's (model_calls_user_created). */
export async function usageByKey(sequelize: Sequelize, userDid: string, keyIds: string[], since: Date): Promise<Map<string, KeyUsage>> {
  const out = new Map<string, KeyUsage>();
  if (keyIds.length === 0) return out;
  const rows = await sequelize.query<{ k: string; calls: unknown; credits: unknown }>(
    `SELECT "accessKeyId" AS "k", COUNT(*) AS "calls", COALESCE(SUM("creditsNano"), 0) AS "credits"
     FROM model_calls
     WHERE "userDid" = :userDid AND "createdAt" >= :since AND "accessKeyId" IN (:keyIds) AND "status" <> 'processing'
     GROUP BY "accessKeyId"`,
    { replacements: { userDid, keyIds, since }, type: QueryTypes.SELECT },
  );
  // SUM of a BIGINT is a string on PostgreSQL (and may carry a ".0" there as NUMERIC).
  for (const r of rows) out.set(r.k, { calls: Number(r.calls), credits: nanoToCredits(String(r.credits).split('.')[0]!) });
  return out;
}
