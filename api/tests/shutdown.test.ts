/** The real entry point: start, serve, and stop gracefully on SIGTERM with a stream in flight. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { makeTempDir } from './helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');
const ADMIN = 'shutdown-test-admin-key-000000';

function startHubProcess(dataDir: string): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'api/index.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', AIGNE_HUB_DATA_DIR: dataDir, AIGNE_HUB_ADMIN_KEY: ADMIN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${out}`)), 60_000);
    proc.stdout!.on('data', () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, output: () => out });
      }
    });
    proc.on('exit', (code) => reject(new Error(`hub exited with ${code}:\n${out}`)));
  });
}

describe('process lifecycle', () => {
  let upstream: FakeUpstream;
  const dataDir = makeTempDir();
  afterAll(async () => {
    await upstream?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // The hub starts from its TypeScript sources here: 20 s and more on a loaded two-core machine.
  it('finishes an in-flight stream on SIGTERM, records it, closes the database and exits 0', async () => {
    upstream = await startFakeUpstream({ defaults: { chunkDelayMs: 60, chunks: 20 } });
    const { proc, url, output } = await startHubProcess(dataDir);
    const admin = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` };
    const provider = await fetch(`${url}/api/ai-providers`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'openai', baseUrl: `${upstream.url}/v1` }) }).then((r) => r.json());
    await fetch(`${url}/api/ai-providers/${provider.id}/credentials`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'k', credentialValue: { api_key: 'sk-shutdown-0000000000' }, validate: false }) });

    const res = await fetch(`${url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long one' }] }),
    });
    const callId = res.headers.get('x-aigne-hub-model-call-id');
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    const body = await res.text();
    expect(body.trim().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);
    expect(output()).toContain('"msg":"stopped"');
    // New connections are refused once it stopped.
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();

    // The call survived in the database, complete.
    const again = await startHubProcess(dataDir);
    const calls = await fetch(`${again.url}/api/health`).then((r) => r.json());
    expect(calls.db).toBe('ok');
    again.proc.kill('SIGTERM');
    await new Promise((r) => again.proc.on('exit', r));
    const { openDatabase } = await import('../store/sequelize.js');
    const db = openDatabase({ sqlitePath: path.join(dataDir, 'aikit.db') });
    const [rows] = await db.query('SELECT status, "outputTokens" FROM model_calls WHERE id = ?', { replacements: [callId] });
    expect(rows).toEqual([{ status: 'success', outputTokens: 20 }]);
    await db.close();
  }, 120_000);
});
