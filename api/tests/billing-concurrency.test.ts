/**
 * Credit reservations under concurrency, on SQLite and on PostgreSQL: calls at once against a
 * balance that covers only some of them must not overspend (a balance above zero but below a
 * call's reservation lets nothing through), and the ledger must end exactly at grants − charged
 * credits of the ModelCall rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditsToNano } from '../lib/decimal.js';
import { createTestDatabase, type TestDatabase } from './postgres/database.js';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const TOP_UP = 'https://pay.example.com/top-up';
const databases = [{ name: 'sqlite' }, { name: 'postgres' }];

describe.each(databases)('credit reservations on $name', ({ name }) => {
  let h: GatewayHarness;
  let scratch: TestDatabase | undefined;

  const newMember = async (credits: string) => {
    const key = await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'spender' });
    expect(key.status).toBe(201);
    const grant = await h.t.request.post('/api/credits/grants').set(bearer(h.t.adminKey)).send({ userDid: key.body.userDid, amount: credits });
    expect(grant.status).toBe(201);
    return { key: key.body.key as string, userDid: key.body.userDid as string };
  };

  const chat = (key: string, maxTokens: number) =>
    fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: maxTokens }),
    });

  const ledgerOf = async (userDid: string) => {
    const rows = (await modelCallRows(h.t)).filter((r) => r.userDid === userDid);
    const [grants] = (await h.t.hub.sequelize.query(`SELECT COALESCE(SUM("amountNano"), 0) AS "total" FROM credit_grants WHERE "userDid" = :userDid`, {
      replacements: { userDid },
    })) as [{ total: unknown }[], unknown];
    const [reservations] = (await h.t.hub.sequelize.query(`SELECT COUNT(*) AS "n" FROM credit_reservations WHERE "userDid" = :userDid`, {
      replacements: { userDid },
    })) as [{ n: unknown }[], unknown];
    return {
      rows,
      grantedNano: Number(grants[0]!.total),
      chargedNano: rows.reduce((sum, r) => sum + Number(r.creditsNano), 0),
      openReservations: Number(reservations[0]!.n),
    };
  };

  beforeAll(async () => {
    scratch = name === 'postgres' ? await createTestDatabase('hub_billing') : undefined;
    h = await startGatewayHarness({
      CREDIT_BASED_BILLING_ENABLED: 'true',
      CREDIT_TOPUP_LINK: TOP_UP,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    // Output only: 0.001 credits per token. The reply "Echo: hi" is 2 output tokens.
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-0000000000000001'], rates: [{ model: 'gpt-4o-mini', inputRate: '0', outputRate: '0.001' }] });
    h.upstream.setDefaults({ delayMs: 40 });
  });
  afterAll(async () => {
    await h?.close();
    await scratch?.drop();
  });

  it('lets exactly the covered calls through when each reservation equals its cost', async () => {
    // max_tokens 2 → each call reserves 0.002 and costs 0.002: 0.021 covers exactly 10 of 50, and
    // the 0.001 left over must not let an 11th through.
    const { key, userDid } = await newMember('0.021');
    const responses = await Promise.all(Array.from({ length: 50 }, () => chat(key, 2)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(40);
    const refused = await responses.find((r) => r.status === 402)!.json();
    expect(refused.error).toMatchObject({ type: 'insufficient_credits', code: 'insufficient_credits', link: TOP_UP });

    const ledger = await ledgerOf(userDid);
    expect(ledger.rows.filter((r) => r.status === 'success')).toHaveLength(10);
    expect(ledger.rows.filter((r) => r.errorCode === 'insufficient_credits')).toHaveLength(40);
    expect(ledger.chargedNano).toBe(10 * 2_000_000);
    expect(ledger.openReservations).toBe(0);
    const credits = await h.t.request.get('/api/user/credits').set(bearer(key));
    expect(credits.body).toEqual({ balance: '0.001', currency: 'credits', pending: '0', link: TOP_UP });
  });

  it('never overspends when reservations exceed the actual cost, and ends exact', async () => {
    // max_tokens 10 → reserves 0.01 per call, charges 0.002. Waves of calls until one gets nothing
    // through: a call is let in only while 0.01 is available, so 0.051 pays for exactly 21 calls
    // and 0.009 is left (50 calls would cost 0.1: a hold granted on less than 0.01 overspends).
    const { key, userDid } = await newMember('0.051');
    let ok = 0;
    let sent = 0;
    for (let wave = 0; wave < 30; wave++) {
      const responses = await Promise.all(Array.from({ length: 20 }, () => chat(key, 10)));
      sent += responses.length;
      expect(responses.every((r) => r.status === 200 || r.status === 402)).toBe(true);
      const through = responses.filter((r) => r.status === 200).length;
      ok += through;
      // The charges are written and the reservations released before the next wave.
      await h.t.hub.gateway.recorder.flush();
      if (through === 0) break;
    }
    expect(ok).toBe(21);

    const ledger = await ledgerOf(userDid);
    expect(ledger.rows).toHaveLength(sent);
    expect(ledger.rows.filter((r) => r.status === 'success')).toHaveLength(21);
    expect(ledger.chargedNano).toBe(21 * 2_000_000);
    expect(ledger.openReservations).toBe(0);
    const credits = await h.t.request.get('/api/user/credits').set(bearer(key));
    expect(credits.body).toEqual({ balance: '0.009', currency: 'credits', pending: '0', link: TOP_UP });

    // The cached balance equals the ledger's sum.
    const [sum] = (await h.t.hub.sequelize.query(`SELECT COALESCE(SUM("amountNano"), 0) AS "total" FROM credit_transactions WHERE "userDid" = :userDid`, {
      replacements: { userDid },
    })) as [{ total: unknown }[], unknown];
    expect(Number(sum[0]!.total)).toBe(creditsToNano('0.009'));
  });
});
