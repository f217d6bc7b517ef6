/**
 * After the run: every request the hub answered must have its ModelCall row, with the usage the
 * fake upstream reported and the exact credit charge (rate × usage), read straight from the hub's
 * SQLite file while the hub is still running.
 */
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

function all<T>(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}

export async function verifyHubRecords(sqlitePath: string, tally: HubTally, balanceSpentNano: bigint | null): Promise<Verification> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(sqlitePath, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(d)));
  });
  try {
    const byStatus = await all<{ status: string; n: number; credits: string; input: string; output: string }>(
      db,
      'SELECT status, COUNT(*) AS n, CAST(COALESCE(SUM(creditsNano), 0) AS TEXT) AS credits, CAST(COALESCE(SUM(inputTokens), 0) AS TEXT) AS input, CAST(COALESCE(SUM(outputTokens), 0) AS TEXT) AS output FROM model_calls GROUP BY status',
    );
    const rows: Verification['rows'] = {};
    for (const r of byStatus) rows[r.status] = { count: r.n, creditsNano: r.credits };
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
      const found = await all<{ id: string }>(db, `SELECT id FROM model_calls WHERE status = 'success' AND id IN (${slice.map(() => '?').join(',')})`, slice);
      for (const f of found) ids.add(f.id);
      for (const id of slice) if (!ids.has(id)) missing.push(id);
    }
    add('each call id a client received is a success row', missing.length === 0, `${tally.callIds.length - missing.length}/${tally.callIds.length} found${missing.length ? `; missing e.g. ${missing[0]}` : ''}`);

    const pairs = tally.usage.map((u) => `(stream = ${u.stream ? 1 : 0} AND inputTokens = ${u.inputTokens} AND outputTokens = ${u.outputTokens})`).join(' OR ');
    const [wrongUsage] = await all<{ n: number }>(db, `SELECT COUNT(*) AS n FROM model_calls WHERE status = 'success' AND NOT (${pairs || '0'})`);
    add('usage equals what the upstream reported', wrongUsage!.n === 0, `${wrongUsage!.n} success rows with other token counts`);

    const [wrongCharge] = await all<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM model_calls WHERE creditsNano != inputTokens * ${INPUT_NANO} + outputTokens * ${OUTPUT_NANO}`,
    );
    const [sums] = await all<{ credits: string; input: string; output: string }>(
      db,
      'SELECT CAST(COALESCE(SUM(creditsNano), 0) AS TEXT) AS credits, CAST(COALESCE(SUM(inputTokens), 0) AS TEXT) AS input, CAST(COALESCE(SUM(outputTokens), 0) AS TEXT) AS output FROM model_calls',
    );
    const charged = BigInt(sums!.credits);
    const expected = BigInt(sums!.input) * INPUT_NANO + BigInt(sums!.output) * OUTPUT_NANO;
    add(
      'credits = rate × usage, row by row and in sum',
      wrongCharge!.n === 0 && charged === expected,
      `${wrongCharge!.n} rows off; sum ${charged} nano-credits, rate × usage ${expected}`,
    );
    if (balanceSpentNano !== null) {
      add('the ledger charged exactly the recorded credits', balanceSpentNano === charged, `balance fell by ${balanceSpentNano} nano-credits, rows say ${charged}`);
    }
    return { rows, checks, ok: checks.every((c) => c.ok) };
  } finally {
    db.close();
  }
}
