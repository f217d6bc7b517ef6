/**
 * The embedded ledger with the call recorder that writes its charges, on a real SQLite file and on
 * PostgreSQL: reservations, charges written with their calls' rows (each with the balance after
 * it), grants that expire, refunds, and what the upkeep and a restart repair.
 */
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { initModels, type Models } from '../../store/models/index.js';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { createCallRecorder, type CallRecorder } from '../recording/call-recorder.js';
import { createLedgerBilling } from './ledger.js';
import { openMigratedStore, type MigratedStore } from '../../tests/helpers/migrated-store.js';

const HOUR = 3_600_000;

describe.each([{ name: 'sqlite' }, { name: 'postgres' }])('the credit ledger on $name', ({ name }) => {
  let db: Sequelize;
  let models: Models;
  let store: MigratedStore;
  let n = 0;
  const logLines: string[] = [];
  const user = () => `did:test:ledger:${name}:${++n}`;

  beforeAll(async () => {
    store = await openMigratedStore(name, 'ledger');
    db = store.sequelize;
    models = initModels(db);
  });
  afterAll(() => store?.close());

  /** A ledger (billing on unless told) with its own recorder, as the hub wires them. */
  const setup = (enabled = true) => {
    const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
    const ledger = createLedgerBilling({ sequelize: db, models, logger, enabled, reservationTtlMs: HOUR, topUpLink: 'https://pay.example.com' });
    const recorder: CallRecorder = createCallRecorder(models, logger, { commitWindowMs: 0 });
    recorder.onFlush(ledger.flushHook);
    /** One call: reserve, settle with `creditsNano` charged, and write its row (and charge). */
    const call = async (userDid: string, maxCostNano: number, creditsNano: number, model = 'm-1') => {
      const record = { id: `call-${++n}`, userDid, creditsNano, model } as never;
      const reservation = await ledger.reserve({ record, candidates: [], maxCostNano });
      return { record: record as { id: string }, reservation, done: () => settle(record, reservation) };
    };
    const settle = async (record: { id: string; userDid: string; creditsNano: number; model: string }, reservation: Awaited<ReturnType<typeof ledger.reserve>>) => {
      await ledger.settle(record as never, reservation);
      await recorder.commit(modelCallRowOf(record.id, { status: 'success', userDid: record.userDid, creditsNano: record.creditsNano, model: record.model }));
    };
    const balance = async (userDid: string) => {
      await recorder.settled();
      const b = await ledger.balance(userDid);
      return [b.balanceNano, b.pendingNano];
    };
    const entries = async (userDid: string) =>
      (await ledger.transactions(userDid, { limit: 100 })).data.map((t) => [t.type, t.amount, t.balance, t.reason]);
    return { ledger, recorder, call, balance, entries };
  };

  it('charges calls with their rows, each entry with the balance after it, and holds only while they run', async () => {
    const { ledger, call, balance, entries, recorder } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1_000_000_000, reason: 'start' });
    const a = await call(u, 300_000_000.4, 100_000_000, 'm-a');
    expect(a.reservation).toEqual({ id: expect.any(String), amountNano: 300_000_001 });
    const b = await call(u, 200_000_000, 250_000_000, 'm-b');
    expect(await balance(u)).toEqual([1_000_000_000, 500_000_001]);
    await Promise.all([a.done(), b.done()]);
    await recorder.settled();
    expect(await balance(u)).toEqual([650_000_000, 0]);
    const list = await entries(u);
    expect(list.slice(0, 2).sort()).toEqual([
      ['charge', '-0.1', expect.stringMatching(/^0\.(9|65)$/), 'm-a'],
      ['charge', '-0.25', expect.stringMatching(/^0\.(75|65)$/), 'm-b'],
    ]);
    expect(list.map(([, , after]) => after).sort()).toEqual(expect.arrayContaining(['0.65', '1']));
    expect(list.at(-1)).toEqual(['grant', '1', '1', 'start']);
    const [charge] = (await ledger.transactions(u, { limit: 1 })).data;
    expect(charge).toMatchObject({ modelCallId: expect.stringMatching(/^call-/), grantId: null });
    // A call that cost nothing leaves no entry, and frees its hold.
    const free = await call(u, 100, 0);
    await free.done();
    expect(await balance(u)).toEqual([650_000_000, 0]);
    expect(await entries(u)).toHaveLength(3);
  });

  it('refuses what the balance cannot cover with the top-up link, and reserves nothing with billing off or no user', async () => {
    const { ledger, call } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1000 });
    await call(u, 600, 0);
    expect((await call(u, -5, 0)).reservation).toMatchObject({ amountNano: 0 });
    await expect(call(u, 401, 0)).rejects.toMatchObject({
      status: 402,
      extra: { link: 'https://pay.example.com' },
      message: 'Insufficient credits: this call may cost up to 0.000000401 credits and the available balance is 0.0000004',
    });
    await expect(call(user(), 1, 0)).rejects.toMatchObject({ message: expect.stringContaining('the available balance is 0') });
    expect((await call(u, 400, 0)).reservation).toMatchObject({ amountNano: 400 });
    const off = setup(false);
    expect(off.ledger.enabled).toBe(false);
    expect((await off.call(u, 1e15, 0)).reservation).toBeNull();
    expect(await setup().ledger.reserve({ record: { id: 'x', userDid: null } as never, candidates: [], maxCostNano: 5 })).toBeNull();
  });

  it('takes charges from the soonest-expiring grants first, and expires only what is left of them', async () => {
    const { ledger, call, balance, entries } = setup();
    const u = user();
    const soon = new Date(Date.now() + HOUR);
    const later = new Date(Date.now() + 2 * HOUR);
    const g1 = await ledger.grant({ userDid: u, amountNano: 500, expiresAt: later, reason: 'later' });
    expect(g1).toMatchObject({ amount: '0.0000005', expiresAt: later.toISOString(), balance: '0.0000005', reason: 'later' });
    await ledger.grant({ userDid: u, amountNano: 300, expiresAt: soon });
    await ledger.grant({ userDid: u, amountNano: 1000 });
    await (await call(u, 400, 400)).done();
    expect(await balance(u)).toEqual([1400, 0]);
    // The 300 expiring first was spent whole, then 100 of the 500.
    expect(await ledger.expireGrants(new Date(soon.getTime()))).toBe(1);
    expect(await balance(u)).toEqual([1400, 0]);
    expect(await ledger.expireGrants(new Date(later.getTime()))).toBe(1);
    expect(await balance(u)).toEqual([1000, 0]);
    expect((await entries(u))[0]).toEqual(['expire', '-0.0000004', '0.000001', 'Grant expired']);
    // The grant spent whole expired without an entry.
    expect((await entries(u)).map(([type]) => type)).toEqual(['expire', 'charge', 'grant', 'grant', 'grant']);
    expect(await ledger.expireGrants(new Date(later.getTime() + HOUR))).toBe(0);
  });

  it("expires a user's due grants when their balance is read", async () => {
    const { ledger, balance } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 70, expiresAt: new Date(Date.now() + 1000) });
    await ledger.grant({ userDid: u, amountNano: 30 });
    expect(await balance(u)).toEqual([100, 0]);
    await db.query(`UPDATE credit_grants SET "expiresAt" = :past WHERE "userDid" = :u AND "expiresAt" IS NOT NULL`, { replacements: { past: new Date(Date.now() - 1000), u } });
    expect(await balance(u)).toEqual([30, 0]);
  });

  it('refunds a charge once, and only a charge', async () => {
    const { ledger, call, balance, recorder } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1000 });
    const c = await call(u, 100, 80, 'm-r');
    await c.done();
    await recorder.settled();
    const refund = await ledger.refund(c.record.id, null);
    expect(refund).toMatchObject({ type: 'refund', amount: '0.00000008', balance: '0.000001', reason: 'Refund of m-r', modelCallId: c.record.id });
    expect(await balance(u)).toEqual([1000, 0]);
    await expect(ledger.refund(c.record.id, 'again')).rejects.toMatchObject({ status: 409, message: `Model call '${c.record.id}' was already refunded` });
    await expect(ledger.refund('no-such-call', null)).rejects.toMatchObject({ status: 404, message: "No charge for model call 'no-such-call'" });
    // Two refunds of one charge at once: one is given, the other refused (on PostgreSQL they race
    // to the unique index).
    const e = await call(u, 100, 7);
    await e.done();
    await recorder.settled();
    const both = await Promise.allSettled([ledger.refund(e.record.id, null), ledger.refund(e.record.id, null)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409, message: `Model call '${e.record.id}' was already refunded` } });
    expect(await balance(u)).toEqual([1000, 0]);
    const d = await call(u, 100, 5);
    await d.done();
    await recorder.settled();
    expect(await ledger.refund(d.record.id, 'bad answer')).toMatchObject({ reason: 'bad answer', amount: '0.000000005' });
  });

  it('pages transactions newest first with an opaque cursor', async () => {
    const { ledger } = setup();
    const u = user();
    for (const amount of [1, 2, 3, 4, 5]) await ledger.grant({ userDid: u, amountNano: amount });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ledger.transactions(u, { limit: 2, cursor });
      seen.push(...page.data.map((t) => t.amount));
      cursor = page.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['0.000000005', '0.000000004', '0.000000003', '0.000000002', '0.000000001']);
    // Entries of one instant (a flush's charges share one) are paged by id, none lost or repeated.
    const v = user();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-04T05:06:07.000Z') });
    try {
      for (const amount of [1, 2, 3, 4, 5, 6, 7]) await ledger.grant({ userDid: v, amountNano: amount });
    } finally {
      vi.useRealTimers();
    }
    const same: string[] = [];
    cursor = undefined;
    do {
      const page = await ledger.transactions(v, { limit: 3, cursor });
      same.push(...page.data.map((t) => t.amount));
      cursor = page.next;
    } while (cursor);
    expect(same.sort()).toEqual(['1', '2', '3', '4', '5', '6', '7'].map((a) => `0.00000000${a}`));
    expect((await ledger.transactions(u, { limit: 5 })).next).toBeUndefined();
    expect((await ledger.transactions(u, { limit: 4 })).next).toEqual(expect.any(String));
  });

  it('keeps each grant as given, and sums, lists and pages grants and transactions by number', async () => {
    const { ledger } = setup();
    const u = user();
    const expiresAt = new Date(Date.now() + HOUR);
    const g1 = await ledger.grant({ userDid: u, amountNano: 700, expiresAt, reason: 'trial', grantedBy: 'did:admin', source: 'new_user' });
    const g2 = await ledger.grant({ userDid: u, amountNano: 300 });
    const rows = await models.CreditGrant.findAll({ where: { userDid: u }, order: [['amountNano', 'DESC']], raw: true });
    expect(rows.map((g) => [g.id, Number(g.amountNano), Number(g.remainingNano), g.source, g.reason, g.grantedBy, g.expiredAt])).toEqual([
      [g1.id, 700, 700, 'new_user', 'trial', 'did:admin', null],
      [g2.id, 300, 0, 'admin', null, null, null],
    ]);
    expect(g2).toEqual({ id: g2.id, userDid: u, amount: '0.0000003', reason: null, expiresAt: null, createdAt: expect.stringMatching(/Z$/), balance: '0.000001' });
    const grantEntries = (await ledger.transactions(u, { limit: 10 })).data;
    expect(grantEntries.map((t) => [t.type, t.grantId, t.modelCallId, t.reason])).toEqual([
      ['grant', g2.id, null, null],
      ['grant', g1.id, null, 'trial'],
    ]);
    await ledger.accounts.hold(u, 40, null, new Date(Date.now() + HOUR));
    expect(await ledger.summary(u)).toEqual({ balanceNano: 1000, pendingNano: name === 'sqlite' ? 0 : 40, totalNano: 1000, grantCount: 2 });
    await ledger.expireGrants(new Date(expiresAt.getTime()));
    expect(await ledger.summary(u)).toMatchObject({ balanceNano: 300, totalNano: 300, grantCount: 1 });
    const grants = await ledger.grantList(u, { page: 1, pageSize: 1 });
    expect(grants.count).toBe(2);
    expect(grants.list).toEqual([expect.objectContaining({ id: expect.any(String), amount: expect.any(String) })]);
    const all = await ledger.grantList(u, { page: 1, pageSize: 5 });
    expect(all.list.map((g) => [g.id, g.status]).sort()).toEqual([[g1.id, 'expired'], [g2.id, 'granted']].sort());
    const txs = await ledger.transactionList(u, { page: 2, pageSize: 2 });
    expect(txs).toEqual({ count: 3, list: [expect.objectContaining({ amount: expect.any(String) })] });
    expect(await ledger.paymentLink()).toBe('https://pay.example.com');
    expect(ledger.reportableNano(modelCallRowOf('x', { userDid: u, creditsNano: 50 }))).toBe(0);
  });

  it("journals a settled call's charge, writes it after a restore, and forgets it once written", async () => {
    const { ledger, call, recorder, balance, entries } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1000 });
    const c = await call(u, 100, 30, 'm-j');
    const record = { id: c.record.id, userDid: u, creditsNano: 30, model: 'm-j' };
    await ledger.settle(record as never, c.reservation);
    const row = modelCallRowOf(c.record.id, { status: 'success', userDid: u, creditsNano: 30, model: 'm-j' });
    const journaled = ledger.flushHook.journal!(row);
    expect(journaled).toEqual({ userDid: u, chargeNano: 30, model: 'm-j', reservationId: name === 'sqlite' ? null : c.reservation!.id });
    // A restarted process restores the journaled settlement and writes it with the row.
    const restarted = setup();
    restarted.ledger.flushHook.restore!(row, journaled);
    await restarted.recorder.commit(row);
    await restarted.recorder.settled();
    expect(restarted.ledger.flushHook.journal!(row)).toBeUndefined();
    expect((await entries(u))[0]).toEqual(['charge', '-0.00000003', '0.00000097', 'm-j']);
    expect(await restarted.balance(u)).toEqual([970, 0]);
    await recorder.settled();
    expect((await balance(u))[0]).toBe(970);
  });

  it('spends what settled calls charged before their rows are written, and follows every later commit', async () => {
    const { ledger, call, recorder, balance } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1000 });
    const a = await call(u, 400, 300);
    // Settled but not yet written: its 300 stay spent, so 701 cannot be held.
    await ledger.settle({ id: a.record.id, userDid: u, creditsNano: 300, model: 'm-1' } as never, a.reservation);
    await expect(call(u, 701, 0)).rejects.toMatchObject({ status: 402 });
    await recorder.commit(modelCallRowOf(a.record.id, { status: 'success', userDid: u, creditsNano: 300, model: 'm-1' }));
    await recorder.settled();
    expect(await balance(u)).toEqual([700, 0]);
    // A grant after the balance was first read counts at once; so does a charge without a hold.
    await ledger.grant({ userDid: u, amountNano: 500 });
    expect((await call(u, 1200, 0)).reservation).toMatchObject({ amountNano: 1200 });
    const free = await setup().ledger.reserve({ record: { id: 'r', userDid: user() } as never, candidates: [], maxCostNano: 0 }).catch((e: { status: number }) => e.status);
    expect(free).toBe(402);
    const b = { id: `call-${++n}`, userDid: u, creditsNano: 40, model: 'm-1' };
    await ledger.settle(b as never, null);
    await recorder.commit(modelCallRowOf(b.id, { status: 'success', userDid: u, creditsNano: 40, model: 'm-1' }));
    expect(await balance(u)).toEqual([1160, 1200]);
  });

  it('charges nothing with billing off, and forgets a dropped call it never settled', async () => {
    const off = setup(false);
    const u = user();
    await off.ledger.grant({ userDid: u, amountNano: 1000 });
    const record = { id: `call-${++n}`, userDid: u, creditsNano: 250, model: 'm-1' };
    await off.ledger.settle(record as never, null);
    await off.recorder.commit(modelCallRowOf(record.id, { status: 'success', userDid: u, creditsNano: 250, model: 'm-1' }));
    expect(await off.balance(u)).toEqual([1000, 0]);
    expect(off.ledger.flushHook.journal!(modelCallRowOf(record.id))).toBeUndefined();
    const before = logLines.length;
    off.ledger.flushHook.dropped!([modelCallRowOf('never-settled')]);
    expect(logLines.length).toBe(before);
    expect(await setup().ledger.balance(user())).toEqual({ userDid: expect.any(String), balanceNano: 0, pendingNano: 0 });
  });

  it("writes a flush's charges for one user in statements of 200 rows", async () => {
    const { ledger, balance } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 100_000 });
    const rows: ReturnType<typeof modelCallRowOf>[] = [];
    for (let i = 0; i < 201; i += 1) {
      const record = { id: `call-${++n}`, userDid: u, creditsNano: 3, model: 'm-1' };
      const reservation = await ledger.reserve({ record: record as never, candidates: [], maxCostNano: 3 });
      await ledger.settle(record as never, reservation);
      rows.push(modelCallRowOf(record.id, { status: 'success', userDid: u, creditsNano: 3, model: 'm-1' }));
    }
    await ledger.accounts.transaction((t, afterCommit) => ledger.flushHook.write(rows, t, afterCommit));
    expect(await balance(u)).toEqual([100_000 - 603, 0]);
    const [[count]] = (await db.query(`SELECT COUNT(*) AS "n" FROM credit_transactions WHERE "userDid" = :u AND "type" = 'charge'`, { replacements: { u } })) as [{ n: unknown }[], unknown];
    expect(Number(count!.n)).toBe(201);
  });

  it('drops the charges of a batch that cannot be written, and says so', async () => {
    const { ledger, call, recorder, balance } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1000 });
    recorder.onFlush({
      name: 'breaks',
      write: async () => {
        throw new Error('disk on fire');
      },
    });
    const c = await call(u, 100, 60);
    await expect(c.done()).rejects.toThrow();
    const dropped = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === "a call's charge was not written with its record" && l.userDid === u);
    expect(dropped.map((l) => [l.modelCallId, l.creditsNano])).toEqual([[c.record.id, 60]]);
    // Nothing was charged. On PostgreSQL the hold goes with the charge's transaction, so it stays
    // until it expires (as a crashed instance's would); in the process (SQLite) it went at once.
    expect(await balance(u)).toEqual([1000, name === 'sqlite' ? 0 : 100]);
    await ledger.sweep(new Date(Date.now() + HOUR + 1000));
    expect((await call(u, 1000, 0)).reservation).toMatchObject({ amountNano: 1000 });
  });

  it('releases reservations past their time in the upkeep, and every one at a single-process start', async () => {
    const { ledger, call, balance } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 1000 });
    await call(u, 300, 0);
    expect(await balance(u)).toEqual([1000, 300]);
    const sweepLogs = logLines.length;
    await ledger.sweep(new Date(Date.now() + HOUR - 60_000));
    expect(await balance(u)).toEqual([1000, 300]);
    await ledger.sweep(new Date(Date.now() + HOUR + 1000));
    expect(await balance(u)).toEqual([1000, 0]);
    expect(logLines.slice(sweepLogs).map((l) => JSON.parse(l)).filter((l) => l.msg === 'released expired credit reservations').map((l) => l.count)).toEqual([
      // On PostgreSQL the sweep also releases the expired holds other tests left in the database.
      name === 'sqlite' ? 1 : expect.any(Number),
    ]);

    // Held in the database (as a stopped process left it): a restart on its own releases it.
    const v = user();
    const fresh = setup();
    await fresh.ledger.grant({ userDid: v, amountNano: 100 });
    await fresh.ledger.accounts.hold(v, 40, null, new Date(Date.now() + HOUR));
    await fresh.ledger.reconcile();
    const [[account]] = (await db.query(`SELECT "heldNano" FROM credit_accounts WHERE "userDid" = :v`, { replacements: { v } })) as [Record<string, unknown>[], unknown];
    expect(Number(account!.heldNano)).toBe(name === 'sqlite' ? 0 : 40);
    expect(logLines.some((l) => l.includes('released credit reservations left by a previous stop') && l.includes('"count":1'))).toBe(name === 'sqlite');
    // One that expired is released at any start, and said so.
    const w = user();
    await fresh.ledger.grant({ userDid: w, amountNano: 100 });
    await fresh.ledger.accounts.hold(w, 30, null, new Date(Date.now() - 1000));
    const before = logLines.length;
    await setup().ledger.reconcile();
    expect(await fresh.ledger.accounts.get(w)).toMatchObject({ heldNano: 0 });
    expect(logLines.slice(before).filter((l) => /released (expired credit reservations|credit reservations left by a previous stop)/.test(l)).map((l) => JSON.parse(l).count)).toEqual([1]);
  });

  it('repairs a cached balance that differs from the ledger at a single-process start', async () => {
    const { ledger, balance } = setup();
    const u = user();
    await ledger.grant({ userDid: u, amountNano: 500 });
    await db.query(`UPDATE credit_accounts SET "balanceNano" = 123 WHERE "userDid" = :u`, { replacements: { u } });
    const startLogs = logLines.length;
    await setup().ledger.reconcile();
    expect(logLines.slice(startLogs).filter((l) => l.includes('released'))).toEqual([]);
    expect((await balance(u))[0]).toBe(name === 'sqlite' ? 500 : 123);
    const repaired = logLines.filter((l) => l.includes('credit balance differed from the ledger; repaired') && l.includes(u));
    expect(repaired.map((l) => [JSON.parse(l).cached, JSON.parse(l).ledger])).toEqual(name === 'sqlite' ? [[123, 500]] : []);
  });
});
