/** Credit accounts and reservations in SQL, on a real SQLite file and on PostgreSQL. */
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreditAccounts, toNano } from './accounts.js';
import { openMigratedStore, type MigratedStore } from '../../tests/helpers/migrated-store.js';

describe('toNano', () => {
  it('reads BIGINTs as PostgreSQL (strings) and SQLite (numbers) give them', () => {
    expect([toNano(null), toNano(undefined), toNano(12), toNano('-34'), toNano('0')]).toEqual([0, 0, 12, -34, 0]);
    for (const bad of [1.5, '1e30', 'abc', Number.MAX_SAFE_INTEGER + 2]) expect(() => toNano(bad)).toThrow(RangeError);
    expect(() => toNano('12.5')).toThrow('Not a nano-credit amount: 12.5');
  });
});

describe.each([{ name: 'sqlite' }, { name: 'postgres' }])('credit accounts on $name', ({ name }) => {
  let db: Sequelize;
  let store: MigratedStore;
  let accounts: CreditAccounts;
  let n = 0;
  /** A user of the test's own. */
  const user = () => `did:test:${name}:${++n}`;
  const adjust = (userDid: string, delta: Parameters<CreditAccounts['adjust']>[2], syncedAt?: Date) => accounts.transaction((t) => accounts.adjust(t, userDid, delta, syncedAt));
  const reservations = (userDid: string) =>
    accounts.select<{ amountNano: unknown; modelCallId: string | null; expiresAt: unknown }>(`SELECT "amountNano", "modelCallId", "expiresAt" FROM credit_reservations WHERE "userDid" = :userDid`, { userDid });

  beforeAll(async () => {
    store = await openMigratedStore(name, 'accounts');
    db = store.sequelize;
    accounts = new CreditAccounts(db);
  });
  afterAll(() => store?.close());

  it('knows its dialect', () => {
    expect(accounts.isPostgres).toBe(name === 'postgres');
  });

  it('creates an account on its first change and adds every later one', async () => {
    const u = user();
    expect(await accounts.get(u)).toBeNull();
    const synced = new Date('2026-01-02T03:04:05.000Z');
    expect(await adjust(u, { balanceNano: 100 }, synced)).toEqual({ userDid: u, balanceNano: 100, heldNano: 0, unreportedNano: 0, syncedAt: synced });
    expect(await adjust(u, { heldNano: 30, unreportedNano: 5 })).toEqual({ userDid: u, balanceNano: 100, heldNano: 30, unreportedNano: 5, syncedAt: synced });
    expect(await adjust(u, { balanceNano: -40, heldNano: -30, unreportedNano: -5 })).toMatchObject({ balanceNano: 60, heldNano: 0, unreportedNano: 0 });
    expect(await adjust(u, {})).toMatchObject({ balanceNano: 60, heldNano: 0, unreportedNano: 0 });
    expect(await accounts.get(u)).toMatchObject({ balanceNano: 60, syncedAt: synced });
    // An account no balance read has synced (the embedded ledger's) says so with null.
    const never = user();
    expect(await adjust(never, { balanceNano: 5 })).toEqual({ userDid: never, balanceNano: 5, heldNano: 0, unreportedNano: 0, syncedAt: null });
  });

  it('sets a balance read elsewhere, keeping what is held and unreported', async () => {
    const u = user();
    const first = new Date('2026-02-01T00:00:00.000Z');
    expect(await accounts.setBalance(u, 500, first)).toEqual({ userDid: u, balanceNano: 500, heldNano: 0, unreportedNano: 0, syncedAt: first });
    await adjust(u, { heldNano: 20, unreportedNano: 7 });
    const later = new Date('2026-02-01T00:01:00.000Z');
    expect(await accounts.setBalance(u, 300, later)).toEqual({ userDid: u, balanceNano: 300, heldNano: 20, unreportedNano: 7, syncedAt: later });
  });

  it('holds only what balance − held − unreported covers, and nothing when that is not above 0', async () => {
    const u = user();
    await adjust(u, { balanceNano: 100, unreportedNano: 10 });
    const expiresAt = new Date(Date.now() + 60_000);
    const id = await accounts.hold(u, 60, 'call-1', expiresAt);
    expect(id).toEqual(expect.any(String));
    expect(await accounts.hold(u, 31, 'call-2', expiresAt)).toBeNull();
    expect(await accounts.hold(u, 30, null, expiresAt)).toEqual(expect.any(String));
    expect(await accounts.get(u)).toMatchObject({ balanceNano: 100, heldNano: 90, unreportedNano: 10 });
    expect(await accounts.hold(u, 0, null, expiresAt)).toBeNull();
    expect(await accounts.hold(user(), 0, null, expiresAt)).toBeNull();
    const rows = await reservations(u);
    expect(rows.map((r) => [toNano(r.amountNano), r.modelCallId]).sort()).toEqual([[30, null], [60, 'call-1']]);
    expect(new Date(rows.find((r) => r.modelCallId)!.expiresAt as string).getTime()).toBe(expiresAt.getTime());
    expect(await accounts.openReservations(u)).toBe(90);
    expect(await accounts.openReservations(user())).toBe(0);
    expect(await accounts.transaction((t) => accounts.takeReservation(t, id!))).toBe(60);
  });

  it('takes a reservation once', async () => {
    const u = user();
    await adjust(u, { balanceNano: 50 });
    const id = (await accounts.hold(u, 20, null, new Date(Date.now() + 60_000)))!;
    const taken = await accounts.transaction(async (t) => [await accounts.takeReservation(t, id), await accounts.takeReservation(t, id)]);
    expect(taken).toEqual([20, 0]);
    expect(await accounts.openReservations(u)).toBe(0);
  });

  it('never holds more than the account covers when many holds come at once', async () => {
    const u = user();
    await adjust(u, { balanceNano: 100 });
    const expiresAt = new Date(Date.now() + 60_000);
    const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => accounts.hold(u, 10, `call-${i}`, expiresAt)));
    expect(ids.filter((id) => id !== null)).toHaveLength(10);
    expect(await accounts.get(u)).toMatchObject({ balanceNano: 100, heldNano: 100 });
    expect((await reservations(u)).map((r) => toNano(r.amountNano))).toEqual(Array(10).fill(10));
  });

  it('takes several reservations with one statement, each once', async () => {
    const u = user();
    await adjust(u, { balanceNano: 100 });
    const expiresAt = new Date(Date.now() + 60_000);
    const [a, b, c] = [(await accounts.hold(u, 20, null, expiresAt))!, (await accounts.hold(u, 30, null, expiresAt))!, (await accounts.hold(u, 5, null, expiresAt))!];
    const taken = await accounts.transaction(async (t) => [await accounts.takeReservations(t, [a, b]), await accounts.takeReservations(t, [a, b, c]), await accounts.takeReservations(t, [])]);
    expect(taken).toEqual([50, 5, 0]);
    expect(await accounts.openReservations(u)).toBe(0);
  });

  it('releases expired reservations, a batch at a time, and gives their credits back', async () => {
    const u = user();
    await adjust(u, { balanceNano: 100 });
    const now = new Date();
    await accounts.hold(u, 10, null, new Date(now.getTime() - 2000));
    await accounts.hold(u, 20, null, new Date(now.getTime() - 1000));
    await accounts.hold(u, 30, null, now);
    await accounts.hold(u, 40, null, new Date(now.getTime() + 1));
    expect(await accounts.releaseExpired(now, 2)).toBe(2);
    expect(await accounts.get(u)).toMatchObject({ heldNano: 70 });
    expect(await accounts.openReservations(u)).toBe(70);
    expect(await accounts.releaseExpired(now)).toBe(1);
    expect(await accounts.get(u)).toMatchObject({ heldNano: 40 });
    expect(await accounts.releaseExpired(now)).toBe(0);
    expect(await accounts.releaseExpired(new Date(now.getTime() + 1))).toBe(1);
    expect(await accounts.get(u)).toMatchObject({ balanceNano: 100, heldNano: 0 });
  });

  it('releases every reservation at a single process start', async () => {
    const [u, v] = [user(), user()];
    for (const x of [u, v]) await adjust(x, { balanceNano: 100 });
    const later = new Date(Date.now() + 3_600_000);
    await accounts.hold(u, 10, null, later);
    await accounts.hold(u, 15, null, later);
    await accounts.hold(v, 5, null, later);
    const open = Number((await accounts.select<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM credit_reservations`, {}))[0]!.n);
    expect(await accounts.releaseAll()).toBe(open);
    expect(await accounts.select(`SELECT "id" FROM credit_reservations`, {})).toEqual([]);
    for (const x of [u, v]) expect(await accounts.get(x)).toMatchObject({ balanceNano: 100, heldNano: 0 });
    expect(await accounts.releaseAll()).toBe(0);
  });
});
