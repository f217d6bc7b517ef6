/**
 * After the run: every request the hub answered must have its ModelCall row, with the usage the
 * fake upstream reported and the exact credit charge (rate × usage), read straight from the hub's
 * database (its SQLite file, or its PostgreSQL database) while the hub is still running.
 */
import { QueryTypes, Sequelize } from 'sequelize';
import sqlite3 from 'sqlite3';
import { INPUT_NANO, OUTPUT_NANO } from './hub.js';

export interface HubTally {
  /** Requests written to the hub (autocannon counts requests still in flight when a timed run stops). */
  sent: number;
  /** 2xx answers the clients received in full. */
  ok: number;
  /** Model-call ids the clients saw complete (sequential and slow-stream phases). */
  callIds: string[];
  /** Allowed (inputTokens, outputTokens) pairs per `stream` flag. */
  usage: { stream: boolean; inputTokens: number; outputTokens: number }[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Verification {
  rows: Record<string, { count: number; creditsNano: string }>;
  checks: Check[];
  ok: boolean;
}

/** Runs a SELECT written for both databases (names quoted, no placeholders). */
interface Reader {
  all<T extends object>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

async function openReader(store: { sqlitePath: string; databaseUrl?: string }): Promise<Reader> {
  if (store.databaseUrl) {
    const db = new Sequelize(store.databaseUrl, { dialect: 'postgres', logging: false, pool: { max: 1 } });
    return { all: <T extends object>(sql: string) => db.query<T>(sql, { type: QueryTypes.SELECT }), close: () => db.close() };
  }
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(store.sqlitePath, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(d)));
  });
  return {
    all: <T extends object>(sql: string) => new Promise<T[]>((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[])))),
    close: () => new Promise<void>((resolve) => db.close(() => resolve())),
  };
}

/** A text literal (the ids come from the hub's answers). */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function verifyHubRecords(store: { sqlitePath: string; databaseUrl?: string }, tally: HubTally, balanceSpentNano: bigint | null): Promise<Verification> {
  const db = await openReader(store);
  try {
    // PostgreSQL answers COUNT(*) as text: every count goes through Number().
    const byStatus = await db.all<{ status: string; n: number | string; credits: string }>(
      'SELECT "status", COUNT(*) AS "n", CAST(COALESCE(SUM("creditsNano"), 0) AS TEXT) AS "credits" FROM model_calls GROUP BY "status"',
    );
    const rows: Verification['rows'] = {};
    for (const r of byStatus) rows[r.status] = { count: Number(r.n), creditsNano: r.credits };
    const count = (s: string) => rows[s]?.count ?? 0;
    const checks: Check[] = [];
    const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

    const success = count('success');
    const aborted = count('aborted');
    add('no failed calls', count('failed') === 0 && count('processing') === 0, `failed ${count('failed')}, still processing ${count('processing')}`);
    add(
      'a success row for every complete answer',
      success >= tally.ok && success + aborted <= tally.sent,
      `clients saw ${tally.ok} complete answers and wrote ${tally.sent} requests; rows: ${success} success, ${aborted} aborted (requests cut off when a timed load run stopped)`,
    );

    const ids = new Set<string>();
    const missing: string[] = [];
    for (let i = 0; i < tally.callIds.length; i += 500) {
      const slice = tally.callIds.slice(i, i + 500);
      const found = await db.all<{ id: string }>(`SELECT "id" FROM model_calls WHERE "status" = 'success' AND "id" IN (${slice.map(literal).join(',')})`);
      for (const f of found) ids.add(f.id);
      for (const id of slice) if (!ids.has(id)) missing.push(id);
    }
    add('each call id a client received is a success row', missing.length === 0, `${tally.callIds.length - missing.length}/${tally.callIds.length} found${missing.length ? `; missing e.g. ${missing[0]}` : ''}`);

    const pairs = tally.usage.map((u) => `("stream" = ${u.stream ? 'TRUE' : 'FALSE'} AND "inputTokens" = ${u.inputTokens} AND "outputTokens" = ${u.outputTokens})`).join(' OR ');
    const [wrongUsage] = await db.all<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM model_calls WHERE "status" = 'success' AND NOT (${pairs || 'FALSE'})`);
    const otherUsage = Number(wrongUsage!.n);
    add('usage equals what the upstream reported', otherUsage === 0, `${otherUsage} success rows with other token counts`);

    const [wrongCharge] = await db.all<{ n: number | string }>(
      `SELECT COUNT(*) AS "n" FROM model_calls WHERE "creditsNano" != "inputTokens" * ${INPUT_NANO} + "outputTokens" * ${OUTPUT_NANO}`,
    );
    const chargesOff = Number(wrongCharge!.n);
    const [sums] = await db.all<{ credits: string; input: string; output: string }>(
      'SELECT CAST(COALESCE(SUM("creditsNano"), 0) AS TEXT) AS "credits", CAST(COALESCE(SUM("inputTokens"), 0) AS TEXT) AS "input", CAST(COALESCE(SUM("outputTokens"), 0) AS TEXT) AS "output" FROM model_calls',
    );
    const charged = BigInt(sums!.credits);
    const expected = BigInt(sums!.input) * INPUT_NANO + BigInt(sums!.output) * OUTPUT_NANO;
    add(
      'credits = rate × usage, row by row and in sum',
      chargesOff === 0 && charged === expected,
      `${chargesOff} rows off; sum ${charged} nano-credits, rate × usage ${expected}`,
    );
    if (balanceSpentNano !== null) {
      add('the ledger charged exactly the recorded credits', balanceSpentNano === charged, `balance fell by ${balanceSpentNano} nano-credits, rows say ${charged}`);
    }
    return { rows, checks, ok: checks.every((c) => c.ok) };
  } finally {
    await db.close();
  }
}
