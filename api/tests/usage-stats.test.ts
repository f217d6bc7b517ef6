/** Usage buckets, /api/usage/stats and the call log (/api/model-calls, CSV export) over real calls. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditsToNano } from '../lib/decimal.js';
import { MODEL_CALL_FIELDS } from '../routes/model-calls.js';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

/** RFC 4180 parser for the assertions (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('usage and the call log', () => {
  let h: GatewayHarness;
  let admin: Record<string, string>;
  let alice: { auth: Record<string, string>; userDid: string };
  let bob: { auth: Record<string, string>; userDid: string };
  const ODD_MODEL = 'no,such "model"\nreally';

  const chat = (auth: Record<string, string>, model = 'openai/gpt-4o-mini', content = 'one two three') =>
    h.t.request.post('/api/v1/chat/completions').set(auth).send({ model, messages: [{ role: 'user', content }] });

  beforeAll(async () => {
    h = await startGatewayHarness();
    admin = bearer(h.t.adminKey);
    await addProvider(h.t, {
      name: 'openai',
      baseUrl: `${h.upstream.url}/v1`,
      keys: ['sk-upstream-0000000000000004'],
      rates: [
        { model: 'gpt-4o-mini', inputRate: '0.1', outputRate: '0.2' },
        { model: 'text-embedding-3-small', type: 'embedding', inputRate: '0.000001', outputRate: '0' },
      ],
    });
    const a = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'alice', appId: 'app-alice' });
    const b = await h.t.request.post('/api/access-keys').set(admin).send({ name: 'bob' });
    alice = { auth: bearer(a.body.key), userDid: a.body.userDid };
    bob = { auth: bearer(b.body.key), userDid: b.body.userDid };
    for (let i = 0; i < 3; i++) expect((await chat(alice.auth)).status).toBe(200);
    h.upstream.enqueue({ status: 400, body: { error: { message: 'bad "request", really', type: 'invalid_request_error' } } });
    expect((await chat(alice.auth)).status).toBe(400);
    expect((await chat(alice.auth, ODD_MODEL)).status).toBe(404);
    for (let i = 0; i < 2; i++) {
      const e = await h.t.request.post('/api/v1/embeddings').set(bob.auth).send({ model: 'openai/text-embedding-3-small', input: 'four five' });
      expect(e.status).toBe(200);
    }
    await modelCallRows(h.t);
  });
  afterAll(() => h.close());

  it('aggregates settled calls into one hourly usage bucket per user, app, model, provider and type', async () => {
    const [rows] = (await h.t.hub.sequelize.query(`SELECT * FROM usages WHERE "userDid" = :u AND "model" = 'openai/gpt-4o-mini'`, {
      replacements: { u: alice.userDid },
    })) as [Record<string, unknown>[], unknown];
    // Five separate flushes, one incremented row (the failed call had no usage).
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ appId: 'app-alice', type: 'chatCompletion' });
    expect(Number(rows[0]!.calls)).toBe(4);
    expect(Number(rows[0]!.inputTokens)).toBe(9);
    expect(Number(rows[0]!.outputTokens)).toBe(12);
    // 3 × (3 × 0.1 + 4 × 0.2) = 3.3 credits
    expect(Number(rows[0]!.creditsNano)).toBe(creditsToNano('3.3'));
    const [bobs] = (await h.t.hub.sequelize.query(`SELECT * FROM usages WHERE "userDid" = :u`, { replacements: { u: bob.userDid } })) as [Record<string, unknown>[], unknown];
    expect(bobs).toHaveLength(1);
    expect(bobs[0]).toMatchObject({ type: 'embedding', appId: '' });
    expect(Number(bobs[0]!.calls)).toBe(2);
  });

  it('answers stats per model for admins, with errors, tokens, exact credits and latency percentiles', async () => {
    const res = await h.t.request.get('/api/usage/stats?groupBy=model').set(admin);
    expect(res.status).toBe(200);
    const byKey = Object.fromEntries(res.body.data.map((r: { key: string }) => [r.key, r]));
    expect(byKey['openai/gpt-4o-mini']).toMatchObject({ calls: 4, errors: 1, inputTokens: 9, outputTokens: 12, credits: '3.3' });
    expect(byKey['openai/gpt-4o-mini'].p50Ms).toEqual(expect.any(Number));
    expect(byKey['openai/gpt-4o-mini'].p95Ms).toBeGreaterThanOrEqual(byKey['openai/gpt-4o-mini'].p50Ms);
    expect(byKey['openai/text-embedding-3-small']).toMatchObject({ calls: 2, errors: 0 });
    expect(byKey[ODD_MODEL]).toMatchObject({ calls: 1, errors: 1, credits: '0' });
  });

  it('groups by day, user, app and provider, and shows members only their own calls', async () => {
    const day = (await h.t.request.get('/api/usage/stats?groupBy=day').set(admin)).body.data;
    expect(day).toEqual([expect.objectContaining({ key: new Date().toISOString().slice(0, 10), calls: 7 })]);
    const users = (await h.t.request.get('/api/usage/stats?groupBy=user').set(admin)).body.data.map((r: { key: string }) => r.key);
    expect(users).toEqual(expect.arrayContaining([alice.userDid, bob.userDid]));
    const apps = (await h.t.request.get('/api/usage/stats?groupBy=app').set(admin)).body.data;
    expect(apps.find((r: { key: string }) => r.key === 'app-alice').calls).toBe(5);
    const providers = (await h.t.request.get('/api/usage/stats?groupBy=provider').set(admin)).body.data;
    expect(providers.reduce((n: number, r: { calls: number }) => n + r.calls, 0)).toBe(7);
    const own = (await h.t.request.get('/api/usage/stats?groupBy=user').set(bob.auth)).body.data;
    expect(own).toEqual([expect.objectContaining({ key: bob.userDid, calls: 2 })]);
    expect((await h.t.request.get(`/api/usage/stats?userDid=${alice.userDid}`).set(bob.auth)).status).toBe(403);
  });

  it('answers 400 to bad stats parameters', async () => {
    for (const q of ['groupBy=week', 'from=yesterday', 'to=2026-13-45', 'from=2026-02-01&to=2026-01-01', 'from=2020-01-01&to=2026-01-01']) {
      const res = await h.t.request.get(`/api/usage/stats?${q}`).set(admin);
      expect(res.status, q).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
    const future = await h.t.request.get('/api/usage/stats?from=2099-01-01&to=2099-01-02').set(admin);
    expect(future.body.data).toEqual([]);
  });

  it('lists calls newest first, scoped and filtered, with a cursor that ends', async () => {
    const mine = await h.t.request.get('/api/model-calls').set(alice.auth);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toHaveLength(5);
    expect(mine.body.next).toBeUndefined();
    expect(Object.keys(mine.body.data[0]).sort()).toEqual([...MODEL_CALL_FIELDS].sort());
    expect(mine.body.data.every((c: { userDid: string }) => c.userDid === alice.userDid)).toBe(true);
    const times = mine.body.data.map((c: { createdAt: string }) => c.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(mine.body.data.find((c: { status: string; model: string }) => c.status === 'success' && c.model === 'openai/gpt-4o-mini')).toMatchObject({ credits: '1.1', inputTokens: 3, outputTokens: 4 });

    const all = await h.t.request.get('/api/model-calls?limit=100').set(admin);
    expect(all.body.data.length).toBe(7);
    const failed = await h.t.request.get('/api/model-calls?status=failed').set(admin);
    expect(failed.body.data).toHaveLength(2);
    expect((await h.t.request.get(`/api/model-calls?userDid=${bob.userDid}`).set(admin)).body.data).toHaveLength(2);
    expect((await h.t.request.get('/api/model-calls?appId=app-alice&model=openai/gpt-4o-mini').set(admin)).body.data).toHaveLength(4);

    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.t.request.get(`/api/model-calls?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).set(admin);
      ids.push(...page.body.data.map((c: { id: string }) => c.id));
      cursor = page.body.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(all.body.data.map((c: { id: string }) => c.id));
  });

  it('answers 400 to bad call-log queries and 403 to a member asking for another user', async () => {
    for (const q of ['status=done', 'limit=0', 'limit=501', 'from=soon', 'cursor=%%%', 'cursor=eyJ4IjoxfQ']) {
      expect((await h.t.request.get(`/api/model-calls?${q}`).set(admin)).status, q).toBe(400);
    }
    expect((await h.t.request.get(`/api/model-calls?userDid=${alice.userDid}`).set(bob.auth)).status).toBe(403);
    expect((await h.t.request.get('/api/model-calls/export?status=nope').set(admin)).status).toBe(400);
    expect((await h.t.request.get('/api/model-calls')).status).toBe(401);
  });

  it('exports the same rows as CSV with proper quoting', async () => {
    const res = await h.t.request.get('/api/model-calls/export').set(admin).buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(res.body as string);
    expect(rows[0]).toEqual([...MODEL_CALL_FIELDS]);
    expect(rows).toHaveLength(8);
    const model = MODEL_CALL_FIELDS.indexOf('model');
    const odd = rows.find((r) => r[model] === ODD_MODEL);
    expect(odd).toBeDefined();
    expect(res.body as string).toContain('"no,such ""model""\nreally"');
    const reason = rows.find((r) => r[MODEL_CALL_FIELDS.indexOf('errorReason')]!.includes('bad "request", really'));
    expect(reason).toBeDefined();
    const list = (await h.t.request.get('/api/model-calls?limit=100').set(admin)).body.data;
    expect(rows.slice(1).map((r) => r[0])).toEqual(list.map((c: { id: string }) => c.id));
    const own = parseCsv((await h.t.request.get('/api/model-calls/export').set(bob.auth).buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => cb(null, text));
    })).body as string);
    expect(own).toHaveLength(3);
  });
});
