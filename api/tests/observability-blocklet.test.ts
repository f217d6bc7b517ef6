/**
 * Inside Blocklet Server without the Observability blocklet: spans fall back to the hub's own store
 * (which the hub opens itself there, since the observer keeps no store inside Blocklet Server),
 * and /observability serves them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const BLOCKLET_ENV = vi.hoisted(() => {
  const env = {
    BLOCKLET_APP_ID: 'zNKtestAppId00000000000000000000000',
    BLOCKLET_APP_PID: 'zNKtestAppPid0000000000000000000000',
    ABT_NODE_SERVICE_PORT: '40404',
    BLOCKLET_APP_ASK: '0x' + 'ab'.repeat(64),
    BLOCKLET_SESSION_SECRET: 'blocklet-session-secret-for-tests-0123456789',
    BLOCKLET_PORT: '40405',
    BLOCKLET_APP_DIR: '/nonexistent-blocklet-app-dir',
  };
  // Read at import time by @aigne/observability-api and @blocklet/sdk, as inside Blocklet Server.
  Object.assign(process.env, env);
  return env;
});

const { addProvider, modelCallRow, startGatewayHarness } = await import('./helpers/gateway.js');
const { bearer } = await import('./helpers/hub.js');

describe('tracing inside Blocklet Server', () => {
  let h: Awaited<ReturnType<typeof startGatewayHarness>>;
  let home: string;
  let savedHome: string | undefined;

  beforeAll(async () => {
    savedHome = process.env.HOME;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-home-'));
    process.env.HOME = home;
    h = await startGatewayHarness(BLOCKLET_ENV);
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-blocklet-trace-key-00000001'], rates: [{ model: 'gpt-4o-mini' }] });
  });
  afterAll(async () => {
    await h?.close();
    process.env.HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('keeps spans in the data directory when the Observability blocklet is not installed', async () => {
    expect(h.t.config.blocklet.enabled).toBe(true);
    const tracing = h.t.hub.observability.tracing!;
    expect(tracing.mode).toBe('blocklet');
    expect(tracing.externalViewerUrl()).toBeUndefined();

    const res = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(h.t.adminKey) },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'inside blocklet server' }] }),
    });
    expect(res.status).toBe(200);
    const row = await modelCallRow(h.t, res.headers.get('x-aigne-hub-model-call-id')!);
    await tracing.flush();

    const list = await h.t.request.get('/observability/api/trace/tree').set(bearer(h.t.adminKey));
    expect(list.status).toBe(200);
    expect((list.body.data as { rootId: string }[]).map((r) => r.rootId)).toContain(row!.traceId);
    expect(fs.existsSync(path.join(h.t.dataDir, 'observability.db'))).toBe(true);
    expect(fs.existsSync(path.join(home, '.aigne'))).toBe(false);
  });
});
