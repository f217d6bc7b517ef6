/**
 * The embedded ledger's numbered pages of grants and transactions and a user's grant totals, every
 * field of each item, on a real SQLite file and on PostgreSQL.
 */
import type { Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { initModels, type Models } from '../../store/models/index.js';
import { openMigratedStore, type MigratedStore } from '../../tests/helpers/migrated-store.js';
import { createLedgerBilling } from './ledger.js';
import { ledgerGrantList, ledgerGrantTotals, ledgerTransactionList } from './ledger-lists.js';

const T0 = Date.parse('2026-03-04T05:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe.each([{ name: 'sqlite' }, { name: 'postgres' }])('ledger lists on $name', ({ name }) => {
  let store: MigratedStore;
  let db: Sequelize;
  let models: Models;
  let n = 0;
  const user = () => `did:test:ledger-lists:${name}:${++n}`;

  beforeAll(async () => {
    store = await openMigratedStore(name, 'ledger_lists');
    db = store.sequelize;
    models = initModels(db);
  });
  afterAll(() => store?.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Three grants a minute apart (the second expiring at minute 10), and one to another user. */
  async function grants() {
    const ledger = createLedgerBilling({ sequelize: db, models, logger: createLogger({ level: 'error', write: () => {} }), enabled: true, reservationTtlMs: 60_000 });
    const u = user();
    vi.useFakeTimers({ toFake: ['Date'], now: at(0) });
    const g1 = await ledger.grant({ userDid: u, amountNano: 1_500_000_000, reason: 'first' });
    vi.setSystemTime(at(1));
    const g2 = await ledger.grant({ userDid: u, amountNano: 250_000_000, expiresAt: at(10) });
    vi.setSystemTime(at(2));
    const g3 = await ledger.grant({ userDid: u, amountNano: 7, reason: 'third' });
    await ledger.grant({ userDid: user(), amountNano: 1_000_000_000 });
    vi.useRealTimers();
    return { ledger, u, g1, g2, g3 };
  }

  it('pages grants newest first with every field, each page at its offset, counting only the user’s', async () => {
    const { ledger, u, g1, g2, g3 } = await grants();
    await ledger.expireGrants(at(10));
    const item = (id: string, amount: string, reason: string | null, expiresAt: string | null, createdAt: string, status: string) => ({ id, userDid: u, amount, reason, expiresAt, createdAt, status });
    expect(await ledgerGrantList(models, u, { page: 1, pageSize: 2 })).toEqual({
      count: 3,
      list: [
        item(g3.id, '0.000000007', 'third', null, at(2).toISOString(), 'granted'),
        item(g2.id, '0.25', null, at(10).toISOString(), at(1).toISOString(), 'expired'),
      ],
    });
    expect(await ledgerGrantList(models, u, { page: 2, pageSize: 2 })).toEqual({
      count: 3,
      list: [item(g1.id, '1.5', 'first', null, at(0).toISOString(), 'granted')],
    });
    expect(await ledgerGrantList(models, u, { page: 3, pageSize: 1 })).toEqual({ count: 3, list: [expect.objectContaining({ id: g1.id })] });
  });

  it('sums only the grants that have not expired', async () => {
    const { ledger, u } = await grants();
    expect(await ledgerGrantTotals(models, u)).toEqual({ totalNano: 1_750_000_007, grantCount: 3 });
    await ledger.expireGrants(at(10));
    expect(await ledgerGrantTotals(models, u)).toEqual({ totalNano: 1_500_000_007, grantCount: 2 });
    expect(await ledgerGrantTotals(models, user())).toEqual({ totalNano: 0, grantCount: 0 });
  });

  it('pages transactions newest first through the given view, each page at its offset', async () => {
    const { u, g1, g2, g3 } = await grants();
    const view = (row: { grantId: string | null; type: string }) => ({ grantId: row.grantId, type: row.type }) as never;
    expect(await ledgerTransactionList(models, u, { page: 1, pageSize: 2 }, view)).toEqual({
      count: 3,
      list: [
        { grantId: g3.id, type: 'grant' },
        { grantId: g2.id, type: 'grant' },
      ],
    });
    expect(await ledgerTransactionList(models, u, { page: 2, pageSize: 2 }, view)).toEqual({ count: 3, list: [{ grantId: g1.id, type: 'grant' }] });
  });
});
