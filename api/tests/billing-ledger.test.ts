/** The embedded ledger through the HTTP API: grants, balances, transactions, expiry, refunds, charges. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditsToNano } from '../lib/decimal.js';
import { addProvider, modelCallRow, modelCallRows, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer, startTestHub } from './helpers/hub.js';

describe('credit ledger with billing on', () => {
  let h: GatewayHarness;
  let admin: Record<string, string>;

  const member = async (name = 'member') => {
    const key = await h.t.request.post('/api/access-keys').set(admin).send({ name });
    return { key: key.body.key as string, userDid: key.body.userDid as string, auth: bearer(key.body.key) };
  };
  const grant = (userDid: string, amount: unknown, extra: Record<string, unknown> = {}) =>
    h.t.request.post('/api/credits/grants').set(admin).send({ userDid, amount, ...extra });
  const credits = async (auth: Record<string, string>) => (await h.t.request.get('/api/user/credits').set(auth)).body;
  const chat = (auth: Record<string, string>, body: Record<string, unknown> = {}) =>
    h.t.request
      .post('/api/v1/chat/completions')
      .set(auth)
      .send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 10, ...body });

  beforeAll(async () => {
    h = await startGatewayHarness({ CREDIT_BASED_BILLING_ENABLED: 'true' });
    admin = bearer(h.t.adminKey);
    // 0.001 per input token, 0.01 per output token.
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-0000000000000002'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.001', outputRate: '0.01' }] });
  });
  afterAll(() => h.close());

  it('rejects bad grants with 400 and non-admins with 403', async () => {
    const m = await member();
    const bad: [unknown, Record<string, unknown>?][] = [
      ['abc'],
      ['-5'],
      [-5],
      ['0'],
      ['1e3'],
      ['0.0000000001'],
      [null],
      [{ value: 1 }],
      ['5', { expiresAt: '2001-01-01T00:00:00Z' }],
      ['5', { expiresAt: 'tomorrow' }],
    ];
    for (const [amount, extra] of bad) {
      const res = await grant(m.userDid, amount, extra);
      expect(res.status, JSON.stringify({ amount, extra })).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
    const unknown = await grant('did:abt:never-seen', '5');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/Unknown user/);
    expect((await h.t.request.post('/api/credits/grants').set(admin).send({ amount: '5' })).status).toBe(400);
    expect((await h.t.request.post('/api/credits/grants').set(m.auth).send({ userDid: m.userDid, amount: '5' })).status).toBe(403);
    expect((await h.t.request.post('/api/credits/grants').send({ userDid: m.userDid, amount: '5' })).status).toBe(401);
    expect(await credits(m.auth)).toEqual({ balance: '0', currency: 'credits', pending: '0' });
  });

  it('grants exact decimal amounts and shows them to the member and to admins only', async () => {
    const m = await member();
    const first = await grant(m.userDid, '0.1', { reason: 'first' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ userDid: m.userDid, amount: '0.1', reason: 'first', expiresAt: null, balance: '0.1' });
    expect((await grant(m.userDid, 0.2)).body.balance).toBe('0.3');
    expect(await credits(m.auth)).toEqual({ balance: '0.3', currency: 'credits', pending: '0' });
    expect((await h.t.request.get(`/api/user/credits?userDid=${m.userDid}`).set(admin)).body.balance).toBe('0.3');
    const other = await member('other');
    expect((await h.t.request.get(`/api/user/credits?userDid=${m.userDid}`).set(other.auth)).status).toBe(403);
    expect((await h.t.request.get(`/api/user/credits/transactions?userDid=${m.userDid}`).set(other.auth)).status).toBe(403);
  });

  it('stores a reason exactly as given, quotes and placeholder-like text included', async () => {
    const m = await member();
    const reason = `it's "promo" :amount $1 ? \\ -- 😀`;
    expect((await grant(m.userDid, '1', { reason })).status).toBe(201);
    const list = await h.t.request.get('/api/user/credits/transactions').set(m.auth);
    expect(list.body.data).toMatchObject([{ type: 'grant', amount: '1', reason }]);
  });

  it('pages transactions newest first with an opaque cursor', async () => {
    const m = await member();
    for (const amount of ['1', '2', '3', '4', '5']) expect((await grant(m.userDid, amount)).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    do {
      const res = await h.t.request.get(`/api/user/credits/transactions?limit=2${cursor ? `&cursor=${cursor}` : ''}`).set(m.auth);
      expect(res.status).toBe(200);
      pages.push(res.body.data.length);
      seen.push(...res.body.data.map((t: { amount: string }) => t.amount));
      if (res.body.data.length) expect(res.body.data[0]).toMatchObject({ type: 'grant' });
      cursor = res.body.next;
    } while (cursor);
    expect(pages).toEqual([2, 2, 1]);
    const all = await h.t.request.get('/api/user/credits/transactions?limit=5').set(m.auth);
    expect(all.body.next).toBeUndefined();
    // The pages walk the same newest-first order as one big page, each entry once.
    expect(seen).toEqual(all.body.data.map((t: { amount: string }) => t.amount));
    expect([...seen].sort()).toEqual(['1', '2', '3', '4', '5']);
    const times = all.body.data.map((t: { createdAt: string }) => t.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.body.data.map((t: { balance: string }) => t.balance)).toContain('15');
    expect((await h.t.request.get('/api/user/credits/transactions?cursor=not-a-cursor').set(m.auth)).status).toBe(400);
    expect((await h.t.request.get('/api/user/credits/transactions?limit=0').set(m.auth)).status).toBe(400);
    expect((await h.t.request.get('/api/user/credits/transactions?limit=x').set(m.auth)).status).toBe(400);
  });

  it('charges a call what the provider reported and answers 402 without a link when none is configured', async () => {
    const m = await member();
    const refused = await chat(m.auth);
    expect(refused.status).toBe(402);
    expect(refused.body.error.type).toBe('insufficient_credits');
    expect(refused.body.error.link).toBeUndefined();

    await grant(m.userDid, '1');
    const ok = await chat(m.auth);
    expect(ok.status).toBe(200);
    // "one two three" is 3 input tokens, "Echo: one two three" 4 output tokens: 0.003 + 0.04.
    const row = await modelCallRow(h.t, ok.headers['x-aigne-hub-model-call-id']);
    expect(Number(row!.creditsNano)).toBe(creditsToNano('0.043'));
    expect(await credits(m.auth)).toEqual({ balance: '0.957', currency: 'credits', pending: '0' });
    const tx = (await h.t.request.get('/api/user/credits/transactions').set(m.auth)).body.data[0];
    expect(tx).toMatchObject({ type: 'charge', amount: '-0.043', balance: '0.957', modelCallId: row!.id });
  });

  it('holds the reservation while a streamed call is in flight and charges an aborted stream for what it produced', async () => {
    const m = await member();
    await grant(m.userDid, '10');
    h.upstream.enqueue({ chunkDelayMs: 40, chunks: 200 });
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { ...m.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 300, stream: true }),
      signal: controller.signal,
    });
    const callId = res.headers.get('x-aigne-hub-model-call-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    const during = await credits(m.auth);
    expect(Number(during.pending)).toBeGreaterThan(3); // 300 output tokens × 0.01 at least
    expect(during.balance).toBe('10');
    controller.abort();
    const row = await waitFor(async () => {
      const r = await modelCallRow(h.t, callId);
      return r && r.status !== 'processing' ? r : undefined;
    });
    expect(row.status).toBe('aborted');
    // What it used before the abort (estimated: the upstream's usage comes at the end) is charged
    // at the model's rates: 0.001 per input token, 0.01 per output token.
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThan(0);
    const charge = Number(row.inputTokens) * creditsToNano('0.001') + Number(row.outputTokens) * creditsToNano('0.01');
    expect(Number(row.creditsNano)).toBe(charge);
    const after = await credits(m.auth);
    expect(after.pending).toBe('0');
    expect(creditsToNano(after.balance)).toBe(creditsToNano('10') - charge);
    const [tx] = (await h.t.request.get('/api/user/credits/transactions').set(m.auth)).body.data;
    expect(tx).toMatchObject({ type: 'charge', modelCallId: callId, balance: after.balance });
    expect(creditsToNano(tx.amount)).toBe(-charge);
  });

  it('settles a call whose reservation expired while it ran without releasing it twice', async () => {
    const m = await member();
    await grant(m.userDid, '10');
    h.upstream.enqueue({ chunkDelayMs: 20, chunks: 15 });
    const res = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { ...m.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 300, stream: true }),
    });
    const callId = res.headers.get('x-aigne-hub-model-call-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    expect(Number((await credits(m.auth)).pending)).toBeGreaterThan(0);
    // A day later the reservation is long expired: the upkeep releases it mid-call.
    await h.t.hub.billing.sweep(new Date(Date.now() + 86_400_000));
    expect((await credits(m.auth)).pending).toBe('0');
    while (!(await reader.read()).done);
    const row = await waitFor(async () => {
      const r = await modelCallRow(h.t, callId);
      return r && r.status === 'success' ? r : undefined;
    });
    const after = await credits(m.auth);
    expect(after.pending).toBe('0');
    expect(creditsToNano(after.balance)).toBe(creditsToNano('10') - Number(row.creditsNano));
    const [[account]] = (await h.t.hub.sequelize.query('SELECT "heldNano" FROM credit_accounts WHERE "userDid" = :u', { replacements: { u: m.userDid } })) as [
      { heldNano: unknown }[],
      unknown,
    ];
    expect(Number(account!.heldNano)).toBe(0);
  });

  it('consumes expiring grants first and forfeits only what is left of them when they expire', async () => {
    const m = await member();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect((await grant(m.userDid, '5', { expiresAt: inAnHour, reason: 'trial' })).body.expiresAt).toBe(inAnHour);
    await grant(m.userDid, '10');
    expect((await chat(m.auth)).status).toBe(200); // costs 0.043
    expect((await credits(m.auth)).balance).toBe('14.957');
    await h.t.hub.billing.sweep(new Date(Date.now() + 2 * 3_600_000));
    expect((await credits(m.auth)).balance).toBe('10');
    const [expiry] = (await h.t.request.get('/api/user/credits/transactions?limit=1').set(m.auth)).body.data;
    expect(expiry).toMatchObject({ type: 'expire', amount: '-4.957', balance: '10' });
    // A second sweep finds nothing more to expire.
    await h.t.hub.billing.sweep(new Date(Date.now() + 3 * 3_600_000));
    expect((await credits(m.auth)).balance).toBe('10');
  });

  it('refunds a charged call once', async () => {
    const m = await member();
    await grant(m.userDid, '1');
    const ok = await chat(m.auth);
    const callId = ok.headers['x-aigne-hub-model-call-id'];
    await modelCallRow(h.t, callId);
    const refund = await h.t.request.post('/api/credits/refunds').set(admin).send({ modelCallId: callId, reason: 'bad answer' });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ type: 'refund', amount: '0.043', balance: '1', modelCallId: callId, reason: 'bad answer' });
    expect((await credits(m.auth)).balance).toBe('1');
    expect((await h.t.request.post('/api/credits/refunds').set(admin).send({ modelCallId: callId })).status).toBe(409);
    expect((await h.t.request.post('/api/credits/refunds').set(admin).send({ modelCallId: 'no-such-call' })).status).toBe(404);
    expect((await h.t.request.post('/api/credits/refunds').set(m.auth).send({ modelCallId: callId })).status).toBe(403);
  });

  it('keeps the cached balances equal to the sum of the ledger', async () => {
    // Every kind of entry for two members: grants, charges, a refused call, a refund, an expiry.
    const [m, n] = [await member('sum-a'), await member('sum-b')];
    expect((await chat(m.auth)).status).toBe(402);
    await grant(m.userDid, '1');
    await grant(n.userDid, '2', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const charged = await chat(m.auth);
    expect(charged.status).toBe(200);
    expect((await chat(n.auth)).status).toBe(200);
    await modelCallRow(h.t, charged.headers['x-aigne-hub-model-call-id']);
    expect((await h.t.request.post('/api/credits/refunds').set(admin).send({ modelCallId: charged.headers['x-aigne-hub-model-call-id'] })).status).toBe(201);
    await h.t.hub.billing.sweep(new Date(Date.now() + 2 * 3_600_000));
    expect((await credits(m.auth)).balance).toBe('1');
    expect((await credits(n.auth)).balance).toBe('0');

    const [rows] = (await h.t.hub.sequelize.query(
      `SELECT a."userDid", a."balanceNano" AS cached, (SELECT COALESCE(SUM(t."amountNano"), 0) FROM credit_transactions t WHERE t."userDid" = a."userDid") AS ledger
       FROM credit_accounts a WHERE a."userDid" IN (:users)`,
      { replacements: { users: [m.userDid, n.userDid] } },
    )) as [{ userDid: string; cached: unknown; ledger: unknown }[], unknown];
    expect(rows.map((r) => [r.userDid, Number(r.cached)]).sort()).toEqual([[m.userDid, creditsToNano('1')], [n.userDid, 0]].sort());
    for (const r of rows) expect(Number(r.cached)).toBe(Number(r.ledger));
    const calls = (await modelCallRows(h.t)).filter((c) => c.userDid === m.userDid);
    expect(calls.map((c) => c.errorCode ?? null).sort()).toEqual(['insufficient_credits', null]);
  });
});

describe('credit ledger with billing off', () => {
  it('records credits without reserving, charging or refusing', async () => {
    const h = await startGatewayHarness({ NEW_USER_CREDIT_GRANT: '2.5' });
    try {
      await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-0000000000000003'], rates: [{ model: 'gpt-4o-mini', inputRate: '1', outputRate: '1' }] });
      const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'free' });
      const auth = bearer(key.body.key);
      // NEW_USER_CREDIT_GRANT: the first appearance of the user granted 2.5.
      expect((await h.t.request.get('/api/user/credits').set(auth)).body.balance).toBe('2.5');
      const tx = (await h.t.request.get('/api/user/credits/transactions').set(auth)).body.data;
      expect(tx).toEqual([expect.objectContaining({ type: 'grant', amount: '2.5', reason: 'New user credits' })]);
      // The call costs 7 credits, more than the balance: billing off lets it through.
      const res = await h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }] });
      expect(res.status).toBe(200);
      const row = await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id']);
      expect(Number(row!.creditsNano)).toBe(creditsToNano('7'));
      expect((await h.t.request.get('/api/user/credits').set(auth)).body).toEqual({ balance: '2.5', currency: 'credits', pending: '0' });
      const [reservations] = (await h.t.hub.sequelize.query('SELECT COUNT(*) AS n FROM credit_reservations')) as [{ n: unknown }[], unknown];
      expect(Number(reservations[0]!.n)).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('refuses a reservation TTL at or below the upstream timeout', async () => {
    await expect(startTestHub({ UPSTREAM_TIMEOUT_MS: '5000', CREDIT_RESERVATION_TTL_MS: '5000' })).rejects.toThrow(/CREDIT_RESERVATION_TTL_MS/);
  });
});
