/**
 * API.md §14 across instances: two real hub processes on one PostgreSQL database, requests split
 * between them. Requests per minute are counted in one table (rate-limiter-flexible's), calls open
 * now in another: the limits hold in total, not per instance.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/gateway.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';
import { call, jsonHeaders, startHubProcess, type HubProcess } from './hub-process.js';

const ADMIN = 'limits-instances-admin-key-00000';

describePostgres('limits shared by two hub instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let hubs: HubProcess[];
  const dataDirs = [makeTempDir(), makeTempDir()];

  const newKey = async (limits: unknown) => {
    const key = await call(`${hubs[0]!.url}/api/access-keys`, ADMIN, 'POST', { name: 'shared', limits });
    expect(key.status).toBe(201);
    return { id: key.body.id as string, key: key.body.key as string };
  };
  const chat = (hub: HubProcess, key: string, stream = false, signal?: AbortSignal) =>
    fetch(`${hub.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: jsonHeaders(key),
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hello there' }] }),
      signal,
    });
  /** Windows are whole minutes of the clock: a burst starts early enough in one to end in it. */
  const earlyInAMinute = () => waitFor(async () => new Date().getUTCSeconds() < 40, 25_000);

  beforeAll(async () => {
    database = await createTestDatabase('limits');
    upstream = await startFakeUpstream();
    const env = (dataDir: string) => ({ DATABASE_URL: database.url, AIGNE_HUB_DATA_DIR: dataDir, AIGNE_HUB_ADMIN_KEY: ADMIN, AIGNE_HUB_SECRET: 'limits-instances-secret-0123456789' });
    hubs = await Promise.all(dataDirs.map((d) => startHubProcess(env(d))));
    const provider = await call(`${hubs[0]!.url}/api/ai-providers`, ADMIN, 'POST', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    expect(provider.status).toBe(201);
    const c = await call(`${hubs[0]!.url}/api/ai-providers/${provider.body.id}/credentials`, ADMIN, 'POST', { name: 'k', credentialValue: { api_key: 'sk-limits-instances-0000000' }, validate: false });
    expect(c.status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all((hubs ?? []).map((h) => h.stop()));
    await upstream?.close();
    await database?.drop();
  });

  it('answers exactly 10 of 40 concurrent calls on rpm 10, split between the two instances', async () => {
    const { key } = await newKey({ rpm: 10 });
    await earlyInAMinute();
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(hubs[i % 2]!, key).then(async (r) => (await r.arrayBuffer(), r.status))));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // Both instances refuse now, whichever answered the ten.
    for (const hub of hubs) expect((await chat(hub, key)).status).toBe(429);
  });

  it('keeps at most 3 calls open in total with 8 slow streams asked for on both instances, and frees them as clients leave', async () => {
    const { key } = await newKey({ maxConcurrent: 3 });
    upstream.reset();
    upstream.setDefaults({ chunks: 3000, chunkDelayMs: 20 });
    const clients = Array.from({ length: 8 }, () => new AbortController());
    try {
      const answers = await Promise.all(clients.map((c, i) => chat(hubs[i % 2]!, key, true, c.signal)));
      const opened = answers.filter((r) => r.status === 200);
      expect(opened).toHaveLength(3);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(5);
      await waitFor(async () => upstream.open === 3);
      expect(upstream.maxOpen).toBe(3);
      // Every client leaves: their holds go, on whichever instance they were.
      for (const c of clients) c.abort();
      await waitFor(async () => upstream.open === 0);
      await waitFor(async () => (await call(`${hubs[1]!.url}/api/user/limits`, key, 'GET')).body.subjects[0].remaining.concurrent === 3);
      const again = await chat(hubs[1]!, key);
      expect(again.status).toBe(200);
    } finally {
      for (const c of clients) c.abort();
      upstream.reset();
    }
  });

  it('applies a change of a key’s limits made through one instance on the other at once', async () => {
    const { id, key } = await newKey(null);
    expect((await chat(hubs[1]!, key)).status).toBe(200);
    expect((await call(`${hubs[0]!.url}/api/access-keys/${id}`, ADMIN, 'PUT', { limits: { models: ['anthropic/*'] } })).status).toBe(200);
    await waitFor(async () => (await chat(hubs[1]!, key)).status === 403, 5_000);
  });
});
