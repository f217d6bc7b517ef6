/**
 * A hub process killed (SIGKILL) while a slow streamed call holds a credit reservation: after a
 * restart on the same database nothing stays held and the ledger adds up. The hub runs as node
 * itself (no wrapper process), so the signal kills the process that serves the call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { creditsToNano } from '../lib/decimal.js';
import { bearer, makeTempDir, startTestHub, TEST_ADMIN_KEY, type TestHub } from './helpers/hub.js';
import { call, startHubProcess, type HubProcess } from './postgres/hub-process.js';
import { alive } from './helpers/process-alive.js';

describe('a hub killed mid-call', () => {
  let upstream: FakeUpstream | undefined;
  let killed: HubProcess | undefined;
  let restarted: TestHub | undefined;
  const dataDir = makeTempDir();

  afterAll(async () => {
    await killed?.stop('SIGKILL');
    await restarted?.close();
    await upstream?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no reservation held after a restart and the ledger exact', async () => {
    upstream = await startFakeUpstream();
    const env = {
      AIGNE_HUB_DATA_DIR: dataDir,
      AIGNE_HUB_ADMIN_KEY: TEST_ADMIN_KEY,
      AIGNE_HUB_WEB_DIR: path.join(dataDir, 'no-web'),
      CREDIT_BASED_BILLING_ENABLED: 'true',
      UPSTREAM_TIMEOUT_MS: '10000',
    };
    const hub = (killed = await startHubProcess(env));
    const api = (method: string, p: string, body?: unknown, key = TEST_ADMIN_KEY) => call(`${hub.url}${p}`, key, method, body);

    const provider = await api('POST', '/api/ai-providers', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    expect(provider.status).toBe(201);
    expect((await api('POST', `/api/ai-providers/${provider.body.id}/credentials`, { name: 'k', credentialValue: { api_key: 'sk-upstream-0000000000000005' }, validate: false })).status).toBe(201);
    expect((await api('POST', `/api/ai-providers/${provider.body.id}/model-rates`, { model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.001', outputRate: '0.01' })).status).toBe(201);
    const key = await api('POST', '/api/access-keys', { name: 'victim' });
    expect((await api('POST', '/api/credits/grants', { userDid: key.body.userDid, amount: '10' })).status).toBe(201);

    // A slow stream: 200 chunks, 100 ms apart; it is still streaming when the hub is killed.
    upstream.enqueue({ chunkDelayMs: 100, chunks: 200 });
    const res = await fetch(`${hub.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(key.body.key), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 500, stream: true }),
    });
    expect(res.status).toBe(200);
    const callId = res.headers.get('x-aigne-hub-model-call-id')!;
    const body = res.text().then(
      (text) => ({ cut: false, text }),
      () => ({ cut: true, text: '' }),
    );
    const held = await api('GET', '/api/user/credits', undefined, key.body.key);
    expect(creditsToNano(held.body.pending)).toBe(creditsToNano('5.011')); // 500 output tokens × 0.01 + 11 estimated input tokens × 0.001

    const pid = hub.proc.pid!;
    expect(await hub.stop('SIGKILL')).toBe(null);
    // The process that served the call is gone: its stream is cut, its port answers no more.
    expect(alive(pid)).toBe(false);
    expect(await body).toEqual({ cut: true, text: '' });
    await expect(fetch(`${hub.url}/api/health`)).rejects.toThrow();
    expect(upstream.requests.at(-1)).toMatchObject({ aborted: true, completed: false });

    restarted = await startTestHub({ CREDIT_BASED_BILLING_ENABLED: 'true', UPSTREAM_TIMEOUT_MS: '10000' }, { dataDir });
    const [reservations] = (await restarted.hub.sequelize.query('SELECT COUNT(*) AS n FROM credit_reservations')) as [{ n: unknown }[], unknown];
    expect(Number(reservations[0]!.n)).toBe(0);
    const after = await restarted.request.get('/api/user/credits').set(bearer(key.body.key));
    expect(after.body).toEqual({ balance: '10', currency: 'credits', pending: '0' });

    // The interrupted call is settled as such and charged nothing (its usage died with the process).
    const [calls] = (await restarted.hub.sequelize.query('SELECT id, status, "creditsNano" FROM model_calls WHERE "userDid" = :u', {
      replacements: { u: key.body.userDid },
    })) as [{ id: string; status: string; creditsNano: unknown }[], unknown];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: callId });
    expect(calls[0]!.status).not.toBe('processing');
    expect(Number(calls[0]!.creditsNano)).toBe(0);
    const again = await restarted.request.get('/api/user/credits/transactions').set(bearer(key.body.key));
    expect(again.body.data.map((t: { type: string }) => t.type)).toEqual(['grant']);

    // Nothing is held: a call that reserves nearly the whole balance (990 output tokens × 0.01) goes through.
    const big = await restarted.request
      .post('/api/v1/chat/completions')
      .set(bearer(key.body.key))
      .send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 990 });
    expect(big.status).toBe(200);
  }, 120_000);
});
