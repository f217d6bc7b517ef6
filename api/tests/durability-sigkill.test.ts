/**
 * Durability: the real hub under concurrent load (plain and streamed calls, credit billing on) is
 * killed with SIGKILL, then restarted on the same database. The database must be intact, every
 * call whose response the client saw complete must have its settled ModelCall row and exactly one
 * charge, no call may be left `processing`, and no credit reservation may be left holding credits.
 * On SQLite and on PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../scripts/fake-upstream/index.js';
import { openDatabase } from '../store/sequelize.js';
import { waitFor } from './helpers/gateway.js';
import { makeTempDir } from './helpers/temp-dir.js';
import { createTestDatabase, type TestDatabase } from './postgres/database.js';
import { describePostgres } from './postgres/describe-postgres.js';
import { call, jsonHeaders, startHubProcess, type HubProcess } from './postgres/hub-process.js';

const ADMIN = 'durability-admin-key-000000000000';
const SECRET = 'durability-secret-0123456789abcdef';
const WORKERS = 12;
const COMPLETE_BEFORE_KILL = 60;

interface Outcome {
  id: string | null;
  stream: boolean;
  complete: boolean;
}

const select = <T extends object = Record<string, unknown>>(db: Sequelize, sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> =>
  db.query<T>(sql, { replacements, type: QueryTypes.SELECT });

async function runScenario(kind: 'sqlite' | 'postgres'): Promise<void> {
  const upstream = await startFakeUpstream({ defaults: { chunks: 6, chunkDelayMs: 8 } });
  // Calls to this model stream for a long time: they are in flight when the hub is killed.
  upstream.enqueue({ match: { model: 'gpt-4o-long' }, chunks: 2000, chunkDelayMs: 20, times: -1 });
  const dataDir = makeTempDir();
  let database: TestDatabase | undefined;
  let hub: HubProcess | undefined;
  let db: Sequelize | undefined;
  try {
    database = kind === 'postgres' ? await createTestDatabase('durability') : undefined;
    const env = {
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: ADMIN,
      AIGNE_HUB_SECRET: SECRET,
      CREDIT_BASED_BILLING_ENABLED: 'true',
      // Short enough that the killed calls' reservations expire during the test (PostgreSQL
      // releases expired ones; SQLite, alone by definition, releases all at start).
      UPSTREAM_TIMEOUT_MS: '2000',
      CREDIT_RESERVATION_TTL_MS: '2500',
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    const openDb = () => openDatabase({ sqlitePath: path.join(dataDir, 'aikit.db'), databaseUrl: database?.url });

    hub = await startHubProcess(env);
    const provider = await call(`${hub.url}/api/ai-providers`, ADMIN, 'POST', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    expect(provider.status).toBe(201);
    expect((await call(`${hub.url}/api/ai-providers/${provider.body.id}/credentials`, ADMIN, 'POST', { name: 'k', credentialValue: { api_key: 'sk-durable-000000000000' }, validate: false })).status).toBe(201);
    for (const model of ['gpt-4o-mini', 'gpt-4o-long']) {
      const rate = await call(`${hub.url}/api/ai-providers/${provider.body.id}/model-rates`, ADMIN, 'POST', { model, type: 'chatCompletion', inputRate: '0.000001', outputRate: '0.000002' });
      expect(rate.status).toBe(201);
    }
    const member = await call(`${hub.url}/api/access-keys`, ADMIN, 'POST', { name: 'load' });
    const { key, userDid } = member.body as { key: string; userDid: string };
    expect((await call(`${hub.url}/api/credits/grants`, ADMIN, 'POST', { userDid, amount: '1000' })).status).toBe(201);

    // Long streams first: wait until their `processing` rows are in the database.
    const url = hub.url;
    const long = await Promise.all(
      [0, 1].map(() =>
        fetch(`${url}/api/v1/chat/completions`, {
          method: 'POST',
          headers: jsonHeaders(key),
          body: JSON.stringify({ model: 'openai/gpt-4o-long', stream: true, messages: [{ role: 'user', content: 'a long answer' }] }),
        }),
      ),
    );
    const longIds = long.map((r) => r.headers.get('x-aigne-hub-model-call-id')!);
    const longBodies = long.map((r) => r.text().catch(() => 'cut'));
    db = openDb();
    await waitFor(async () => (await select<{ n: number }>(db!, `SELECT COUNT(*) AS "n" FROM model_calls WHERE "status" = 'processing' AND "id" IN (:ids)`, { ids: longIds }))[0]!.n === 2, 10_000);
    await db.close();
    db = undefined;

    // Load: plain and streamed calls from several workers until the kill.
    const outcomes: Outcome[] = [];
    let stopping = false;
    const worker = async (w: number) => {
      for (let i = 0; !stopping; i++) {
        const stream = (w + i) % 2 === 0;
        try {
          const res = await fetch(`${url}/api/v1/chat/completions`, {
            method: 'POST',
            headers: jsonHeaders(key),
            body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream, messages: [{ role: 'user', content: `call ${w} ${i}` }], max_tokens: 32 }),
          });
          const id = res.headers.get('x-aigne-hub-model-call-id');
          const text = await res.text();
          const complete = res.status === 200 && (stream ? text.trim().endsWith('data: [DONE]') : JSON.parse(text).choices?.[0]?.message?.content === `Echo: call ${w} ${i}`);
          outcomes.push({ id, stream, complete });
        } catch {
          outcomes.push({ id: null, stream, complete: false });
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    await waitFor(async () => outcomes.filter((o) => o.complete).length >= COMPLETE_BEFORE_KILL, 60_000);
    stopping = true;
    expect(await hub.stop('SIGKILL')).toBe(null);
    expect(hub.proc.signalCode).toBe('SIGKILL');
    hub = undefined;
    await Promise.all(workers);
    // The long streams were cut by the kill: none reached its end marker.
    const cut = await Promise.all(longBodies);
    expect(cut.filter((text) => text.includes('[DONE]'))).toEqual([]);

    db = openDb();
    if (kind === 'sqlite') {
      // Opening the killed process's database replays its WAL; the file must be sound.
      expect(await select(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } else {
      // The reservations of the killed calls expire (CREDIT_RESERVATION_TTL_MS) before the restart.
      await waitFor(async () => (await select<{ n: number }>(db!, `SELECT COUNT(*) AS "n" FROM credit_reservations WHERE "expiresAt" > :now`, { now: new Date() }))[0]!.n === 0, 15_000);
    }
    await db.close();
    db = undefined;

    hub = await startHubProcess(env);
    db = openDb();
    const complete = outcomes.filter((o) => o.complete);
    expect(complete.length).toBeGreaterThanOrEqual(COMPLETE_BEFORE_KILL);
    const completeIds = complete.map((o) => o.id!);
    const rows = await select<{ id: string; status: string; stream: boolean | number; outputTokens: number; creditsNano: number }>(
      db,
      `SELECT "id", "status", "stream", "outputTokens", "creditsNano" FROM model_calls WHERE "id" IN (:ids)`,
      { ids: completeIds },
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const o of complete) {
      const row = byId.get(o.id!);
      expect(row, `call ${o.id} answered in full but has no row`).toBeDefined();
      expect(row).toMatchObject({ status: 'success', outputTokens: o.stream ? 6 : 4 });
      expect(Boolean(row!.stream)).toBe(o.stream);
      expect(row!.creditsNano).toBeGreaterThan(0);
    }

    expect(await select(db, `SELECT "id" FROM model_calls WHERE "status" = 'processing'`)).toEqual([]);
    const interrupted = await select<{ id: string; status: string; errorCode: string }>(db, `SELECT "id", "status", "errorCode" FROM model_calls WHERE "id" IN (:ids)`, { ids: longIds });
    expect(interrupted.map((r) => ({ ...r }))).toEqual(expect.arrayContaining(longIds.map((id) => ({ id, status: 'failed', errorCode: 'interrupted' }))));

    // Credits: nothing held, one charge per completed call, and the ledger adds up.
    expect(await select(db, `SELECT "id" FROM credit_reservations`)).toEqual([]);
    const charges = await select<{ modelCallId: string; amountNano: number }>(db, `SELECT "modelCallId", "amountNano" FROM credit_transactions WHERE "userDid" = :userDid AND "type" = 'charge'`, { userDid });
    const chargesByCall = new Map<string, number[]>();
    for (const c of charges) chargesByCall.set(c.modelCallId, [...(chargesByCall.get(c.modelCallId) ?? []), c.amountNano]);
    for (const id of completeIds) expect(chargesByCall.get(id)).toEqual([-byId.get(id)!.creditsNano]);
    const [account] = await select<{ balanceNano: number; heldNano: number }>(db, `SELECT "balanceNano", "heldNano" FROM credit_accounts WHERE "userDid" = :userDid`, { userDid });
    const [ledger] = await select<{ total: number }>(db, `SELECT CAST(SUM("amountNano") AS BIGINT) AS "total" FROM credit_transactions WHERE "userDid" = :userDid`, { userDid });
    expect(account).toEqual({ balanceNano: ledger!.total, heldNano: 0 });
    const charged = charges.reduce((sum, c) => sum - c.amountNano, 0);
    expect(ledger!.total).toBe(1000 * 1e9 - charged);

    // The restarted hub serves and records as before.
    const after = await call(`${hub.url}/api/v1/chat/completions`, key, 'POST', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'after restart' }] });
    expect(after.status).toBe(200);
    const afterRow = await waitFor(async () => {
      const rows = await select<{ status: string }>(db!, `SELECT "status" FROM model_calls WHERE "id" = :id`, { id: after.headers.get('x-aigne-hub-model-call-id') });
      return rows.length ? rows : undefined;
    });
    expect(afterRow).toEqual([{ status: 'success' }]);
    await db.close();
    db = undefined;
    expect(await hub.stop('SIGTERM')).toBe(0);
    hub = undefined;

    if (kind === 'sqlite') {
      db = openDb();
      expect(await select(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    }
  } finally {
    await db?.close();
    await hub?.stop('SIGKILL');
    await upstream.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('durability: SIGKILL under load on SQLite', () => {
  it('keeps every completed call, closes interrupted ones and releases their credits', () => runScenario('sqlite'), 120_000);
});

describePostgres('durability: SIGKILL under load on PostgreSQL', () => {
  it('keeps every completed call, closes interrupted ones and releases their credits', () => runScenario('postgres'), 120_000);
});
