/**
 * The call journal: final ModelCall rows (with their charges) are appended to a file under the data
 * directory before a response ends, so answers do not wait for the database; rows that never
 * reached the database are written at the next start, exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { openCallJournal } from '../services/recording/call-journal.js';
import { openDatabase } from '../store/sequelize.js';
import { addProvider, modelCallRow } from './helpers/gateway.js';
import { bearer, startTestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/temp-dir.js';
import { call, startHubProcess, type HubProcess } from './postgres/hub-process.js';

const files = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort();

describe('call journal file', () => {
  it('deletes a file once its rows committed and gives back the rest, last entry per id', () => {
    const dir = makeTempDir();
    const journal = openCallJournal({ dir, entriesPerFile: 2 });
    const line = (entry: object) => `${JSON.stringify(entry)}\n`;
    journal.append('a', line({ row: { id: 'a', status: 'success' } }));
    journal.append('b', line({ row: { id: 'b', status: 'success' }, hooks: { credits: { chargeNano: 5 } } }));
    journal.append('c', line({ row: { id: 'c', status: 'failed' } }));
    expect(files(dir)).toHaveLength(2);
    journal.committed(['a', 'b']);
    expect(files(dir)).toHaveLength(1);
    journal.append('c', line({ row: { id: 'c', status: 'success' } }));
    // A crash mid-write leaves a line cut short.
    fs.appendFileSync(path.join(dir, files(dir)[0]!), '{"row":{"id":"d","sta');

    const after = openCallJournal({ dir });
    const { files: left, entries } = after.leftovers();
    expect(left).toEqual(files(dir));
    expect(entries).toEqual([{ row: { id: 'c', status: 'success' } }]);
    after.discard(left);
    expect(files(dir)).toEqual([]);
    journal.close();
    after.close();
    expect(files(dir)).toEqual([]);
  });
});

describe('a hub whose database cannot take writes', () => {
  const dataDir = makeTempDir();
  const ADMIN = 'journal-admin-key-0000000000000000';
  let upstream: FakeUpstream | undefined;
  let hub: HubProcess | undefined;
  let db: Sequelize | undefined;
  afterAll(async () => {
    await hub?.stop('SIGKILL');
    await db?.close();
    await upstream?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers from the journal, and after a kill writes the rows and charges exactly once', async () => {
    upstream = await startFakeUpstream();
    const env = { AIGNE_HUB_DATA_DIR: dataDir, AIGNE_HUB_ADMIN_KEY: ADMIN, AIGNE_HUB_SECRET: 'journal-secret-0123456789abcdef', CREDIT_BASED_BILLING_ENABLED: 'true' };
    hub = await startHubProcess(env);
    const provider = await call(`${hub.url}/api/ai-providers`, ADMIN, 'POST', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    await call(`${hub.url}/api/ai-providers/${provider.body.id}/credentials`, ADMIN, 'POST', { name: 'k', credentialValue: { api_key: 'sk-journal-000000000000' }, validate: false });
    await call(`${hub.url}/api/ai-providers/${provider.body.id}/model-rates`, ADMIN, 'POST', { model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.001', outputRate: '0.01' });
    const key = await call(`${hub.url}/api/access-keys`, ADMIN, 'POST', { name: 'member' });
    expect((await call(`${hub.url}/api/credits/grants`, ADMIN, 'POST', { userDid: key.body.userDid, amount: '10' })).status).toBe(201);
    const chat = () => call(`${hub!.url}/api/v1/chat/completions`, key.body.key, 'POST', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 20 });
    const first = await chat();
    expect(first.status).toBe(200);
    // Read through the API: waits for the hub's own recorded calls, so the first charge is in.
    const before = await call(`${hub.url}/api/user/credits`, key.body.key, 'GET');
    expect(Number(before.body.balance)).toBeLessThan(10);

    // Another connection takes SQLite's write lock and keeps it: no batch can commit.
    db = openDatabase({ sqlitePath: path.join(dataDir, 'aikit.db') });
    const lock = await db.transaction({ type: Transaction.TYPES.IMMEDIATE });
    const answered = [];
    for (let i = 0; i < 3; i++) answered.push(await chat());
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200]);
    const ids = answered.map((r) => r.headers.get('x-aigne-hub-model-call-id')!);
    const visible = await db.query(`SELECT "id" FROM model_calls WHERE "id" IN (:ids)`, { replacements: { ids }, type: QueryTypes.SELECT, transaction: lock });
    expect(visible).toEqual([]);
    expect(files(path.join(dataDir, 'journal')).length).toBeGreaterThan(0);

    await hub.stop('SIGKILL');
    await lock.rollback();
    hub = await startHubProcess(env);
    expect(hub.output()).toContain('wrote calls journaled by a previous run');

    const rows = await db.query<{ id: string; status: string; creditsNano: number }>(`SELECT "id", "status", "creditsNano" FROM model_calls WHERE "id" IN (:ids)`, {
      replacements: { ids },
      type: QueryTypes.SELECT,
    });
    expect(rows.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    const charges = await db.query<{ modelCallId: string; amountNano: number }>(`SELECT "modelCallId", "amountNano" FROM credit_transactions WHERE "type" = 'charge' AND "modelCallId" IN (:ids)`, {
      replacements: { ids },
      type: QueryTypes.SELECT,
    });
    expect(charges.map((c) => c.modelCallId).sort()).toEqual([...ids].sort());
    for (const r of rows) expect(charges.find((c) => c.modelCallId === r.id)!.amountNano).toBe(-r.creditsNano);
    const [sum] = await db.query<{ total: number }>(`SELECT SUM("amountNano") AS "total" FROM credit_transactions WHERE "userDid" = :u`, { replacements: { u: key.body.userDid }, type: QueryTypes.SELECT });
    const now = await call(`${hub.url}/api/user/credits`, key.body.key, 'GET');
    expect(Math.round(Number(now.body.balance) * 1e9)).toBe(Number(sum!.total));
    expect(Number(now.body.balance)).toBeLessThan(Number(before.body.balance));
    expect(files(path.join(dataDir, 'journal')).filter((f) => fs.statSync(path.join(dataDir, 'journal', f)).size > 0)).toEqual([]);

    // A second start finds nothing left to write.
    await hub.stop('SIGTERM');
    hub = await startHubProcess(env);
    expect(hub.output()).not.toContain('wrote calls journaled by a previous run');
    const again = await db.query(`SELECT "id" FROM credit_transactions WHERE "type" = 'charge' AND "modelCallId" IN (:ids)`, { replacements: { ids }, type: QueryTypes.SELECT });
    expect(again).toHaveLength(3);
  }, 120_000);
});

describe('a hub whose data directory cannot hold the journal', () => {
  it('starts, warns, and answers once each record is committed', async () => {
    const dataDir = makeTempDir();
    fs.writeFileSync(path.join(dataDir, 'journal'), 'not a directory');
    const upstream = await startFakeUpstream();
    const t = await startTestHub({}, { dataDir });
    try {
      expect(t.logLines.some((l) => l.includes('the call journal cannot be opened'))).toBe(true);
      await addProvider(t, { name: 'openai', baseUrl: `${upstream.url}/v1`, keys: ['sk-upstream-0000000000000009'] });
      const res = await t.request.post('/api/v1/chat/completions').set(bearer(t.adminKey)).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(200);
      // Without a journal the answer waits for the commit: the row is there with nothing pending.
      expect(t.hub.gateway.recorder.pending).toBe(0);
      expect((await modelCallRow(t, res.headers['x-aigne-hub-model-call-id']))?.status).toBe('success');
    } finally {
      await t.close();
      await upstream.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
