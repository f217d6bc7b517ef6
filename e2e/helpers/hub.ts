/** A real hub (createHub, real SQLite in a temp directory, the built dashboard) listening on 127.0.0.1, with a fake OpenAI upstream. */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../api/config.js';
import { createHub, type Hub } from '../../api/hub.js';
import { createLogger } from '../../api/lib/logger.js';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/fake-upstream/index.js';
import { ensureWebBuild } from './web-build.js';

export const E2E_ADMIN_KEY = 'e2e-admin-key-0123456789abcdef0123';

export interface E2eHub {
  hub: Hub;
  url: string;
  adminKey: string;
  upstream: FakeUpstream;
  dataDir: string;
  logLines: string[];
  /** Calls the hub's HTTP API as the admin (or with `key`). */
  api<T = any>(method: string, pathname: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startE2eHub(env: Record<string, string> = {}): Promise<E2eHub> {
  const webDir = ensureWebBuild();
  const upstream = await startFakeUpstream({ host: '127.0.0.1', port: 0 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-e2e-'));
  const config = parseConfig({
    NODE_ENV: 'test',
    AIGNE_HUB_DATA_DIR: dataDir,
    AIGNE_HUB_ADMIN_KEY: E2E_ADMIN_KEY,
    AIGNE_HUB_WEB_DIR: webDir,
    MODEL_HEALTH_INTERVAL_MIN: '0',
    ...env,
  });
  const logLines: string[] = [];
  const logger = createLogger({ level: 'warn', write: (line) => logLines.push(line) });
  const hub = await createHub(config, { logger, print: () => undefined });
  const server: Server = hub.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    hub,
    url,
    adminKey: E2E_ADMIN_KEY,
    upstream,
    dataDir,
    logLines,
    async api(method, pathname, body, key = E2E_ADMIN_KEY) {
      const res = await fetch(`${url}${pathname}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed as any };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.close();
      await upstream.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sets up the OpenAI provider on the fake upstream with one credential and a gpt-4o-mini rate, over the API. */
export async function seedOpenAI(
  hub: E2eHub,
  rate: { inputRate: string; outputRate: string } = { inputRate: '0.0000015', outputRate: '0.000006' },
): Promise<{ providerId: string }> {
  const provider = await hub.api('POST', '/api/ai-providers', { name: 'openai', baseUrl: `${hub.upstream.url}/v1` });
  if (provider.status !== 201) throw new Error(`provider: ${provider.status} ${JSON.stringify(provider.body)}`);
  const providerId = provider.body.id as string;
  const credential = await hub.api('POST', `/api/ai-providers/${providerId}/credentials`, {
    name: 'primary',
    credentialValue: { api_key: 'sk-e2e-seeded-key-0001' },
    validate: false,
  });
  if (credential.status !== 201) throw new Error(`credential: ${credential.status} ${JSON.stringify(credential.body)}`);
  const created = await hub.api('POST', `/api/ai-providers/${providerId}/model-rates`, { model: 'gpt-4o-mini', type: 'chatCompletion', ...rate });
  if (created.status !== 201) throw new Error(`rate: ${created.status} ${JSON.stringify(created.body)}`);
  return { providerId };
}

/** A new access key (the secret is only in this answer). */
export async function createKey(hub: E2eHub, input: { name: string; role?: 'member' | 'admin'; userDid?: string }): Promise<{ key: string; userDid: string }> {
  const res = await hub.api('POST', '/api/access-keys', input);
  if (res.status !== 201) throw new Error(`access key: ${res.status} ${JSON.stringify(res.body)}`);
  return { key: res.body.key as string, userDid: res.body.userDid as string };
}

/** One non-streamed chat call through the OpenAI-compatible API. */
export async function chatOnce(hub: E2eHub, key: string, content: string): Promise<{ status: number; body: any }> {
  return hub.api('POST', '/api/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] }, key);
}
