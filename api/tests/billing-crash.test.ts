/**
 * A hub process killed (SIGKILL) while a slow streamed call holds a credit reservation: after a
 * restart on the same database nothing stays held and the ledger adds up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { creditsToNano } from '../lib/decimal.js';
import { bearer, makeTempDir, startTestHub, TEST_ADMIN_KEY, type TestHub } from './helpers/hub.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function startHubProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('npx', ['tsx', path.join(here, 'fixtures/hub-process.ts')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', NODE_ENV: 'test', LOG_LEVEL: 'warn', ACCESS_LOG: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}` });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}: ${err}`));
    });
  });
}

describe('a hub killed mid-call', () => {
  let upstream: FakeUpstream | undefined;
  let child: ChildProcess | undefined;
  let restarted: TestHub | undefined;
  const dataDir = makeTempDir();

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
    const started = await startHubProcess(env);
    child = started.child;
    const api = async (method: string, p: string, body?: unknown, key = TEST_ADMIN_KEY) => {
      const res = await fetch(`${started.url}${p}`, {
        method,
        headers: { ...bearer(key), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    const provider = await api('POST', '/api/ai-providers', { name: 'openai', baseUrl: `${upstream.url}/v1` });
    expect(provider.status).toBe(201);
    expect((await api('POST', `/api/ai-providers/${provider.body.id}/credentials`, { name: 'k', credentialValue: { api_key: 'sk-upstream-0000000000000005' }, validate: false })).status).toBe(201);
    expect((await api('POST', `/api/ai-providers/${provider.body.id}/model-rates`, { model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.001', outputRate: '0.01' })).status).toBe(201);
    const key = await api('POST', '/api/access-keys', { name: 'victim' });
    expect((await api('POST', '/api/credits/grants', { userDid: key.body.userDid, amount: '10' })).status).toBe(201);

    // A slow stream: 200 chunks, 100 ms apart.
    upstream.enqueue({ chunkDelayMs: 100, chunks: 200 });
    const res = await fetch(`${started.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(key.body.key), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 500, stream: true }),
    });
    expect(res.status).toBe(200);
    const callId = res.headers.get('x-aigne-hub-model-call-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    const held = await api('GET', '/api/user/credits', undefined, key.body.key);
    expect(creditsToNano(held.body.pending)).toBeGreaterThanOrEqual(creditsToNano('5')); // 500 output tokens × 0.01

    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await reader.read().catch(() => undefined);

    restarted = await startTestHub({ CREDIT_BASED_BILLING_ENABLED: 'true', UPSTREAM_TIMEOUT_MS: '10000' }, { dataDir });
    const [reservations] = (await restarted.hub.sequelize.query('SELECT COUNT(*) AS n FROM credit_reservations')) as [{ n: unknown }[], unknown];
    expect(Number(reservations[0]!.n)).toBe(0);
    const after = await restarted.request.get('/api/user/credits').set(bearer(key.body.key));
    expect(after.body).toEqual({ balance: '10', currency: 'credits', pending: '0' });

    // balance = grants − charged credits of the ModelCall rows.
    const [calls] = (await restarted.hub.sequelize.query('SELECT id, status, "creditsNano" FROM model_calls WHERE "userDid" = :u', {
      replacements: { u: key.body.userDid },
    })) as [{ id: string; status: string; creditsNano: unknown }[], unknown];
    const charged = calls.reduce((n, c) => n + Number(c.creditsNano), 0);
    expect(creditsToNano(after.body.balance)).toBe(creditsToNano('10') - charged);
    expect(calls.find((c) => c.id === callId)?.status).not.toBe('processing');

    // The interrupted call charged nothing; the user can spend again: a call that reserves nearly
    // the whole balance (990 output tokens × 0.01) goes through, so nothing is held.
    const again = await restarted.request.get('/api/user/credits/transactions').set(bearer(key.body.key));
    expect(again.body.data.map((t: { type: string }) => t.type)).toEqual(['grant']);
    const big = await restarted.request
      .post('/api/v1/chat/completions')
      .set(bearer(key.body.key))
      .send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 990 });
    expect(big.status).toBe(200);
  }, 120_000);
});
