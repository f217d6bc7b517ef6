/**
 * Standalone without an observability server: spans go to <dataDir>/observability.db and the hub
 * serves the AIGNE trace viewer (page and API) at /observability, to admins only.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

async function callChat(h: GatewayHarness, key: string, body: Record<string, unknown>) {
  const res = await fetch(`${h.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(key) },
    body: JSON.stringify(body),
  });
  await res.text();
  return res;
}

async function memberKeyOf(h: GatewayHarness): Promise<string> {
  const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'member' });
  return key.body.key;
}

describe('local span store and the trace viewer', () => {
  let h: GatewayHarness;
  let memberKey: string;
  let traceId: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-local-trace-key-000000000001'], rates: [{ model: 'gpt-4o-mini' }] });
    memberKey = await memberKeyOf(h);
    const res = await callChat(h, memberKey, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'private words here' }] });
    expect(res.status).toBe(200);
    traceId = (await modelCallRow(h.t, res.headers.get('x-aigne-hub-model-call-id')!))!.traceId;
    await h.t.hub.observability.tracing!.flush();
  });
  afterAll(() => h?.close());

  it('keeps spans in observability.db under the data directory', () => {
    expect(h.t.hub.observability.tracing!.mode).toBe('local');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fs.existsSync(path.join(h.t.dataDir, 'observability.db'))).toBe(true);
  });

  it('indexes Trace.id once: the primary key serves lookups by id, without the migrations\' second index', async () => {
    const db = new sqlite3.Database(path.join(h.t.dataDir, 'observability.db'), sqlite3.OPEN_READONLY);
    const all = (sql: string) => new Promise<Record<string, unknown>[]>((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as Record<string, unknown>[]))));
    try {
      const indexes = (await all("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Trace'")).map((r) => r.name);
      expect(indexes).not.toContain('idx_trace_id');
      expect(indexes).toEqual(expect.arrayContaining(['sqlite_autoindex_Trace_1', 'idx_trace_rootId', 'idx_trace_parentId', 'idx_trace_startTime']));
      const plan = (await all(`EXPLAIN QUERY PLAN SELECT * FROM Trace WHERE id = '${traceId}'`)).map((r) => String(r.detail));
      expect(plan.join(' ')).toMatch(/USING INDEX sqlite_autoindex_Trace_1/);
    } finally {
      db.close();
    }
  });

  it("serves the viewer's trace list and tree from that store to an admin", async () => {
    const list = await h.t.request.get('/observability/api/trace/tree?pageSize=50').set(bearer(h.t.adminKey));
    expect(list.status).toBe(200);
    const root = (list.body.data as { id: string; rootId: string; token: number; name: string }[]).find((r) => r.rootId === traceId);
    expect(root).toMatchObject({ name: 'POST /api/v1/chat/completions', token: 7 });
    const tree = await h.t.request.get(`/observability/api/trace/tree/${root!.id}`).set(bearer(h.t.adminKey));
    expect(tree.status).toBe(200);
    const names = (tree.body.data.children as { name: string; startTime: number }[]).sort((a, b) => a.startTime - b.startTime).map((c) => c.name);
    expect(names).toEqual(['auth', 'routing', 'provider call', 'settle']);
    const full = await h.t.request.get(`/observability/api/trace/tree/children/${root!.id}`).set(bearer(h.t.adminKey));
    expect(JSON.stringify(full.body)).not.toContain('private words');
  });

  it('writes the spans of calls queued together in one batch, each call with its whole tree', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => callChat(h, memberKey, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `batch call ${i}` }] })),
    );
    const traceIds = await Promise.all(results.map(async (r) => (await modelCallRow(h.t, r.headers.get('x-aigne-hub-model-call-id')!))!.traceId as string));
    await h.t.hub.observability.tracing!.flush();
    const list = await h.t.request.get('/observability/api/trace/tree?pageSize=100').set(bearer(h.t.adminKey));
    const roots = list.body.data as { id: string; rootId: string; token: number }[];
    for (const id of traceIds) {
      const root = roots.find((r) => r.rootId === id);
      expect(root).toMatchObject({ token: 7 });
      const tree = await h.t.request.get(`/observability/api/trace/tree/${root!.id}`).set(bearer(h.t.adminKey));
      const children = tree.body.data.children as { name: string; attributes: { metadata?: Record<string, unknown> } }[];
      expect(children.map((c) => c.name).sort()).toEqual(['auth', 'provider call', 'routing', 'settle']);
      expect(children.find((c) => c.name === 'provider call')!.attributes.metadata).toMatchObject({ provider: 'openai', attempt: 1 });
    }
  });

  it('serves the viewer page with its paths moved under /observability', async () => {
    const page = await h.t.request.get('/observability/').set(bearer(h.t.adminKey)).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    const script = /src="(\/observability\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    expect(page.text).not.toMatch(/"\/assets\//);
    const js = await h.t.request.get(script!).set(bearer(h.t.adminKey));
    expect(js.status).toBe(200);
    expect(js.text).toContain('{basename:"/observability"}');
    const deepLink = await h.t.request.get('/observability/traces').set(bearer(h.t.adminKey)).set('Accept', 'text/html');
    expect(deepLink.text).toBe(page.text);
  });

  it('refuses everyone but admins, and writes through the viewer API', async () => {
    const anonymousPage = await h.t.request.get('/observability/').set('Accept', 'text/html');
    expect(anonymousPage.status).toBe(401);
    expect(anonymousPage.text).toContain('Sign in');
    const anonymousApi = await h.t.request.get('/observability/api/trace/tree');
    expect(anonymousApi.status).toBe(401);
    expect(anonymousApi.body.error.type).toBe('authentication_error');
    const member = await h.t.request.get('/observability/api/trace/tree').set(bearer(memberKey));
    expect(member.status).toBe(403);
    const inject = await h.t.request.post('/observability/api/trace/tree').set(bearer(h.t.adminKey)).send([]);
    expect(inject.status).toBe(405);
  });
});

describe('tracing options', () => {
  it('puts request messages on the root span only when TRACE_INCLUDE_CONTENT is on, exactly as sent', async () => {
    const h = await startGatewayHarness({ TRACE_INCLUDE_CONTENT: 'true' });
    try {
      await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-local-trace-key-000000000002'], rates: [{ model: 'gpt-4o-mini' }] });
      // Quotes, a backslash, a line break and characters beyond ASCII come back from the store as they went in.
      const messages = [{ role: 'user', content: 'opted in "words" \\ and a line\nbreak — 你好 🚀' }];
      const res = await callChat(h, await memberKeyOf(h), { model: 'openai/gpt-4o-mini', messages });
      const row = await modelCallRow(h.t, res.headers.get('x-aigne-hub-model-call-id')!);
      await h.t.hub.observability.tracing!.flush();
      const list = await h.t.request.get('/observability/api/trace/tree').set(bearer(h.t.adminKey));
      const root = (list.body.data as { id: string; rootId: string }[]).find((r) => r.rootId === row!.traceId)!;
      const full = await h.t.request.get(`/observability/api/trace/tree/children/${root.id}`).set(bearer(h.t.adminKey));
      expect(full.body.data.attributes.input).toEqual({ model: 'openai/gpt-4o-mini', type: 'chatCompletion', stream: false, messages });
    } finally {
      await h.close();
    }
  });

  it('traces the share of calls TRACE_SAMPLE_RATIO asks for: a sampled call has its trace, the others none', async () => {
    const h = await startGatewayHarness({ TRACE_SAMPLE_RATIO: '0.5' });
    try {
      await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-local-trace-key-000000000004'], rates: [{ model: 'gpt-4o-mini' }] });
      const key = await memberKeyOf(h);
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await callChat(h, key, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `sampled ${i}` }] });
        expect(res.status).toBe(200);
        ids.push(res.headers.get('x-aigne-hub-model-call-id')!);
      }
      const rows = await Promise.all(ids.map((id) => modelCallRow(h.t, id)));
      // Every call has its row and charge either way; only the trace is sampled.
      expect(rows.every((r) => r?.status === 'success' && Number(r.creditsNano) > 0)).toBe(true);
      const traced = rows.filter((r) => r!.traceId).map((r) => r!.traceId as string);
      // 40 calls at one half: all or none traced would happen once in ~5 × 10^11 runs.
      expect(traced.length).toBeGreaterThan(0);
      expect(traced.length).toBeLessThan(40);
      await h.t.hub.observability.tracing!.flush();
      const list = await h.t.request.get('/observability/api/trace/tree?pageSize=100').set(bearer(h.t.adminKey));
      const roots = (list.body.data as { rootId: string; name: string }[]).filter((r) => r.name === 'POST /api/v1/chat/completions');
      expect(roots.map((r) => r.rootId).sort()).toEqual([...traced].sort());
    } finally {
      await h.close();
    }
  });

  it('leaves ModelCall.traceId empty and serves no viewer when tracing is off', async () => {
    const h = await startGatewayHarness({ TRACING_ENABLED: 'false' });
    try {
      await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-local-trace-key-000000000003'], rates: [{ model: 'gpt-4o-mini' }] });
      const res = await callChat(h, await memberKeyOf(h), { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'untraced' }] });
      expect(res.status).toBe(200);
      const row = await modelCallRow(h.t, res.headers.get('x-aigne-hub-model-call-id')!);
      expect(row!.traceId).toBeNull();
      expect(h.t.hub.observability.tracing).toBeUndefined();
      const viewer = await h.t.request.get('/observability/api/trace/tree').set(bearer(h.t.adminKey)).set('Accept', 'application/json');
      expect(viewer.status).toBe(404);
      expect(viewer.body.error.type).toBe('not_found');
    } finally {
      await h.close();
    }
  });
});
