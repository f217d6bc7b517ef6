/**
 * Two real hub processes on one PostgreSQL database, both with the model health checks scheduled
 * every 2 seconds: each scheduled time is run by one of them only (the job row's claim), so the fake
 * upstream sees one check per scheduled time, and a model that starts failing is told once.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { openDatabase } from '../../store/sequelize.js';
import { waitFor } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';
import { call, startHubProcess, type HubProcess } from './hub-process.js';

const ADMIN = 'scheduled-health-admin-key-000000';
const SECRET = 'scheduled-health-secret-0123456789ab';

describePostgres('scheduled model health checks on two instances', () => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let db: Sequelize;
  let a: HubProcess;
  let b: HubProcess;

  beforeAll(async () => {
    database = await createTestDatabase('sched');
    upstream = await startFakeUpstream();
    const env = (dataDir: string) => ({
      DATABASE_URL: database.url,
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: ADMIN,
      AIGNE_HUB_SECRET: SECRET,
      MODEL_HEALTH_CRON: '*/2 * * * * *',
    });
    // One after the other: two cold starts at once take too long on a busy machine.
    a = await startHubProcess(env(makeTempDir()));
    b = await startHubProcess(env(makeTempDir()));
    db = openDatabase({ sqlitePath: '', databaseUrl: database.url });
    const provider = await call(`${a.url}/api/ai-providers`, ADMIN, 'POST', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    expect(provider.status).toBe(201);
    const credential = await call(`${a.url}/api/ai-providers/${provider.body.id}/credentials`, ADMIN, 'POST', { name: 'k', credentialValue: { api_key: 'sk-scheduled-000000001' }, validate: false });
    expect(credential.status).toBe(201);
    const rate = await call(`${a.url}/api/ai-providers/${provider.body.id}/model-rates`, ADMIN, 'POST', { model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.000001', outputRate: '0.000002' });
    expect(rate.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await upstream?.close();
    await database?.drop();
    expect(codes).toEqual([0, 0]);
  });

  const runs = () =>
    db.query<{ runId: string; n: string; first: string }>(
      `SELECT "runId", COUNT(*) AS n, MIN("checkedAt") AS first FROM model_health_checks GROUP BY "runId" ORDER BY first`,
      { type: QueryTypes.SELECT },
    );

  it('runs each scheduled check on one instance only', async () => {
    await waitFor(async () => (await runs()).length >= 4, 60_000);
    const seen = await runs();
    const chats = upstream.requests.filter((r) => r.path.endsWith('/chat/completions'));
    // One row per run and one upstream call per row, though both instances fired at every time.
    expect(seen.every((r) => Number(r.n) === 1)).toBe(true);
    expect(chats.length).toBeGreaterThanOrEqual(seen.length);
    expect(chats.length).toBeLessThanOrEqual(seen.length + 1); // a run may be under way
    // Both instances fire at every time, 2 s apart: without the claim each time would be run twice.
    // A run made late by a busy machine only widens the span, so the bound holds however slow it is.
    const times = seen.map((r) => new Date(r.first).getTime());
    expect(seen.length).toBeLessThanOrEqual(Math.floor((times.at(-1)! - times[0]!) / 2000) + 2);
    const [job] = await db.query<{ owner: string; lastError: string | null }>(`SELECT "owner", "lastError" FROM job_runs WHERE "name" = 'model-health'`, { type: QueryTypes.SELECT });
    expect(job).toMatchObject({ lastError: null });
  }, 90_000);

  it('tells of a model that starts failing once, and shows it unavailable on both instances', async () => {
    upstream.enqueue({ status: 404, match: { model: 'gpt-4o-mini' }, times: Infinity });
    const failedRuns = async () => (await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM model_health_checks WHERE ok = false`, { type: QueryTypes.SELECT }))[0]!.n;
    await waitFor(async () => Number(await failedRuns()) >= 3, 60_000);
    const told = await db.query(`SELECT "eventKey" FROM notifications WHERE "type" = 'model.unhealthy'`, { type: QueryTypes.SELECT });
    expect(told).toHaveLength(1);
    for (const hub of [a, b]) {
      const models = await waitFor(async () => {
        const res = await call(`${hub.url}/api/ai/models`, ADMIN, 'GET');
        const m = (res.body as { model: string; status: { available: boolean } }[]).find((x) => x.model === 'gpt-4o-mini');
        return m && !m.status.available ? m : undefined;
      }, 15_000);
      expect(models.status.available).toBe(false);
    }
  }, 120_000);
});
