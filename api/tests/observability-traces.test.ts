/**
 * Traces of model calls, read back from a real AIGNE observability server (the one
 * `@aigne/observability-api/server` ships) that the hub exports to over HTTP.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startObservabilityBlockletServer as startServer } from '@aigne/observability-api/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_COMPONENT_DID } from '../routes/blocklet-js.js';
import type { TraceRow } from '../services/observability/trace-row.js';
import { createBlockletTraceSink, createHttpTraceSink, OBSERVABILITY_DID } from '../services/observability/trace-sink.js';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer, makeTempDir } from './helpers/hub.js';

interface TreeNode {
  id: string;
  rootId: string;
  parentId: string | null;
  name: string;
  startTime: number;
  endTime: number;
  status: { code: number; message?: string };
  attributes: Record<string, any>;
  componentId?: string | null;
  userId?: string | null;
  children: TreeNode[];
}

const UPSTREAM_KEY = 'sk-upstream-trace-key-000000000001';

async function listen(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port the system hands out for listen(0), free again once this returns. */
async function ephemeralPort(): Promise<number> {
  const probe = (await import('node:net')).createServer().listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => probe.once('listening', () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The package's server binds every interface on the port it is given, which must be positive (not
 * 0): it is given an ephemeral port (another one if something took it meanwhile), then closed, and
 * its app served on a loopback port of listen(0).
 */
async function startObservabilityServer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  let app: Awaited<ReturnType<typeof startServer>>['app'] | undefined;
  for (let tries = 0; !app; tries++) {
    const started = await startServer({ port: await ephemeralPort(), dbUrl: `file:${path.join(dir, 'observer.db')}` });
    const bound = await new Promise<boolean>((resolve, reject) => {
      if (started.server.listening) return resolve(true);
      started.server.once('listening', () => resolve(true));
      started.server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' && tries < 5 ? resolve(false) : reject(err)));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => started.server.close(() => resolve()));
    app = started.app;
  }
  const loopback = app.listen(0, '127.0.0.1');
  const url = await listen(loopback);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        loopback.closeAllConnections();
        loopback.close(() => resolve());
      }),
  };
}

describe('traces exported to an AIGNE observability server', () => {
  let h: GatewayHarness;
  let obs: { url: string; close(): Promise<void> };
  let obsDir: string;
  let memberKey: string;

  const roots = async (): Promise<TreeNode[]> => {
    const res = await fetch(`${obs.url}/api/trace/tree?pageSize=100`);
    return ((await res.json()) as { data: TreeNode[] }).data;
  };
  const tree = async (rootSpanId: string): Promise<TreeNode> => {
    const res = await fetch(`${obs.url}/api/trace/tree/${rootSpanId}`);
    return ((await res.json()) as { data: TreeNode }).data;
  };
  /** Full stored rows (all attributes) of every span in a tree. */
  const fullSpans = async (node: TreeNode): Promise<TreeNode[]> => {
    const out: TreeNode[] = [];
    const walk = async (n: TreeNode) => {
      const res = await fetch(`${obs.url}/api/trace/tree/children/${n.id}`);
      out.push(((await res.json()) as { data: TreeNode }).data);
      for (const c of n.children) await walk(c);
    };
    await walk(node);
    return out;
  };
  const traceOf = async (modelCallId: string) => {
    const row = await modelCallRow(h.t, modelCallId);
    await h.t.hub.observability.tracing!.flush();
    const root = (await roots()).find((r) => r.rootId === row!.traceId);
    expect(root, `a root span for trace ${row!.traceId}`).toBeDefined();
    return { row: row!, root: await tree(root!.id) };
  };
  const chat = (body: Record<string, unknown>) =>
    fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(memberKey) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    obsDir = makeTempDir('aigne-hub-obs-');
    obs = await startObservabilityServer(obsDir);
    h = await startGatewayHarness({ AIGNE_OBSERVABILITY_URL: obs.url });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: [UPSTREAM_KEY, 'sk-upstream-trace-key-000000000002'], rates: [{ model: 'gpt-4o-mini' }] });
    const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'trace user' });
    memberKey = key.body.key;
  });
  afterAll(async () => {
    await h?.close();
    await obs?.close();
    fs.rmSync(obsDir, { recursive: true, force: true });
  });

  it('exports request → auth, routing, provider call, settle under the trace id stored on the ModelCall row', async () => {
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'secret plans for tuesday' }] });
    expect(res.status).toBe(200);
    const { row, root } = await traceOf(res.headers.get('x-aigne-hub-model-call-id')!);

    expect(row.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(h.t.hub.observability.tracing!.mode).toBe('remote');
    expect(root.name).toBe('POST /api/v1/chat/completions');
    expect(root.parentId ?? null).toBeNull();
    expect(root.status.code).toBe(1);
    const children = [...root.children].sort((a, b) => a.startTime - b.startTime);
    expect(children.map((c) => c.name)).toEqual(['auth', 'routing', 'provider call', 'settle']);
    for (const c of children) {
      expect(c.rootId).toBe(row.traceId);
      expect(c.parentId).toBe(root.id);
      expect(c.startTime).toBeGreaterThanOrEqual(root.startTime);
      expect(c.endTime).toBeLessThanOrEqual(root.endTime);
    }
    const provider = children[2]!;
    expect(provider.attributes.output).toMatchObject({ model: 'gpt-4o-mini', usage: { inputTokens: 4, outputTokens: 5 } });
    expect(root.attributes.metadata).toMatchObject({ modelCallId: row.id });
    // Usage is counted once per call: on the answering provider call, not again on the root.
    expect(root.attributes.output.usage).toBeNull();

    const spans = await fullSpans(root);
    const fullRoot = spans.find((s) => s.id === root.id)!;
    expect(fullRoot.attributes.input).toEqual({ model: 'openai/gpt-4o-mini', type: 'chatCompletion', stream: false });
    expect(fullRoot.attributes.metadata).toMatchObject({ modelCallId: row.id, provider: 'openai', usage: { inputTokens: 4, outputTokens: 5 } });
    expect(fullRoot.userId).toBe(row.userDid);
    expect(spans.find((s) => s.name === 'provider call')!.attributes.metadata).toMatchObject({ credentialId: row.credentialId, attempt: 1 });
    // No keys, no headers, no message contents (not opted in).
    const stored = JSON.stringify(spans);
    expect(stored).not.toContain(UPSTREAM_KEY);
    expect(stored).not.toContain(memberKey);
    expect(stored).not.toContain(h.t.adminKey);
    expect(stored.toLowerCase()).not.toContain('authorization');
    expect(stored).not.toContain('secret plans');
  });

  it('traces a streamed call, usage included', async () => {
    const res = await chat({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream for the trace' }] });
    await res.text();
    const { row, root } = await traceOf(res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row.status).toBe('success');
    const provider = root.children.find((c) => c.name === 'provider call')!;
    expect(provider.attributes.output.usage).toEqual({ inputTokens: 4, outputTokens: 5 });
    const [fullRoot] = await fullSpans({ ...root, children: [] });
    expect(fullRoot!.attributes.input).toMatchObject({ stream: true });
  });

  it('shows each failed attempt as its own provider call span with the error class', async () => {
    h.upstream.enqueue({ status: 503 });
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'retry me' }] });
    expect(res.status).toBe(200);
    const { row, root } = await traceOf(res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row.attempts).toBe(2);
    const attempts = root.children.filter((c) => c.name === 'provider call').sort((a, b) => a.startTime - b.startTime);
    expect(attempts).toHaveLength(2);
    const spans = await fullSpans(root);
    const [failed, answered] = attempts.map((a) => spans.find((s) => s.id === a.id)!);
    expect(failed!.status.code).toBe(2);
    expect(failed!.attributes.metadata).toMatchObject({ error: 'http_503', attempt: 1 });
    expect(answered!.status.code).toBe(1);
    expect(answered!.attributes.metadata).toMatchObject({ attempt: 2, credentialId: row.credentialId });
    expect(failed!.attributes.metadata.credentialId).not.toBe(row.credentialId);
    expect(root.status.code).toBe(1);
  });

  it('traces a call that fails before any provider: routing carries the error', async () => {
    const res = await chat({ model: 'nosuch/model-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    const { row, root } = await traceOf(res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row.status).toBe('failed');
    expect(root.status.code).toBe(2);
    expect(root.children.map((c) => c.name).sort()).toEqual(['auth', 'routing', 'settle']);
    const routing = root.children.find((c) => c.name === 'routing')!;
    expect(routing.status.code).toBe(2);
  });

  it('sends spans to the Observability blocklet through a component call tagged with the hub DID, else to the fallback', async () => {
    let mountPoint = '/observability';
    const calls: { name: string; method: string; path: string }[] = [];
    const component = {
      getComponentMountPoint: (did: string) => (did === OBSERVABILITY_DID ? mountPoint : ''),
      async call(options: { name: string; method: 'POST' | 'PATCH'; path: string; data: unknown }) {
        calls.push({ name: options.name, method: options.method, path: options.path });
        const res = await fetch(`${obs.url}${options.path}`, { method: options.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.data) });
        if (!res.ok) throw new Error(`component call failed: ${res.status}`);
        return res.json();
      },
    };
    const sink = await createBlockletTraceSink(HUB_COMPONENT_DID, createHttpTraceSink(obs.url), component);
    const row = (id: string): TraceRow => ({ id, rootId: `${id}-trace`, name: `blocklet ${id}`, startTime: Date.now(), endTime: Date.now() + 1, status: { code: 1 }, attributes: {} });

    await sink.export([row('viablocklet00001')]);
    expect(calls).toEqual([{ name: OBSERVABILITY_DID, method: 'POST', path: '/api/trace/tree' }]);
    expect(sink.viewerUrl?.()).toBe('/observability');
    mountPoint = '';
    await sink.export([row('viafallback00001')]);
    expect(calls).toHaveLength(1);
    expect(sink.viewerUrl?.()).toBeUndefined();

    const stored = await roots();
    expect(stored.find((r) => r.id === 'viablocklet00001')).toMatchObject({ componentId: HUB_COMPONENT_DID });
    expect(stored.find((r) => r.id === 'viafallback00001')).toBeDefined();
  });
});
