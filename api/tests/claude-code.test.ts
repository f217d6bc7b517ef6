/**
 * Claude Code (`claude -p`, from @anthropic-ai/claude-code) answering through the hub, unchanged:
 * ANTHROPIC_BASE_URL at the hub's /api and a hub key, to an Anthropic provider on its own wire and
 * to an OpenAI one, translated. Run with spawn, not spawnSync: the fake upstream lives in this process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const require = createRequire(import.meta.url);
const CLAUDE = path.join(path.dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe');

function claude(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(CLAUDE, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('Claude Code in print mode through the hub', () => {
  let h: GatewayHarness;
  let key: string;
  let home: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-key-0000000001'], rates: [{ model: 'claude-sonnet-4-5' }] });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-openai-key-000000001'], rates: [{ model: 'gpt-4o-mini' }] });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'claude code' })).body.key;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-home-'));
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const env = () => ({
    HOME: home,
    ANTHROPIC_BASE_URL: `${h.url}/api`,
    ANTHROPIC_API_KEY: key,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
  });

  for (const [model, upstreamPath] of [
    ['anthropic/claude-sonnet-4-5', '/v1/messages'],
    ['openai/gpt-4o-mini', '/v1/chat/completions'],
  ] as const) {
    it(`answers with ${model}`, async () => {
      const before = h.upstream.requests.length;
      const { code, out } = await claude(['-p', 'say hello to the hub', '--model', model], env());
      expect(out).toContain('Echo:');
      expect(out).toContain('say hello to the hub');
      expect(code).toBe(0);
      const sent = h.upstream.requests.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((r) => r.path === upstreamPath)).toBe(true);
      const rows = await modelCallRows(h.t);
      expect(rows.filter((r) => r.model === model && r.status === 'success').length).toBeGreaterThan(0);
    }, 120_000);
  }
});
