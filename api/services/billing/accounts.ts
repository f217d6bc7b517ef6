/**
 * Credit accounts and reservations in SQL that means the same on SQLite and PostgreSQL.
 *
 * The reservation is one conditional UPDATE (`… WHERE balance − held − unreported >= amount`): on
 * SQLite the IMMEDIATE transaction holds the only write lock, on PostgreSQL the row lock makes a
 * concurrent UPDATE re-check the condition against the committed row, so two reservations can
 * never both spend the same credits. The reservation row is inserted in the same transaction (on
 * PostgreSQL, the same statement), so a held amount always has a row that can release it.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { writeTransaction, type AfterCommit } from '../../store/write-transaction.js';
import { newId } from '../../lib/ids.js';

export interface AccountRow {
  userDid: string;
  balanceNano: number;
  heldNano: number;
  unreportedNano: number;
  syncedAt: Date | null;
}

export interface AccountDelta {
  balanceNano?: number;
  heldNano?: number;
  unreportedNano?: number;
}

/** BIGINT and SUM() come back as strings from PostgreSQL and as numbers from SQLite. */
export const toNano = (value: unknown): number => {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not a nano-credit amount: ${String(value)}`);
  return n;
};

const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string));

const toAccount = (row: Record<string, unknown>): AccountRow => ({
  userDid: String(row.userDid),
  balanceNano: toNano(row.balanceNano),
  heldNano: toNano(row.heldNano),
  unreportedNano: toNano(row.unreportedNano),
  syncedAt: toDate(row.syncedAt),
});

const ACCOUNT_COLUMNS = `"userDid", "balanceNano", "heldNano", "unreportedNano", "syncedAt"`;

/** The account's part of a reservation: held when what is available covers it. */
const HOLD_UPDATE = `UPDATE credit_accounts SET "heldNano" = "heldNano" + :amount, "updatedAt" = :now
  WHERE "userDid" = :userDid
    AND "balanceNano" - "heldNano" - "unreportedNano" >= :amount
    AND "balanceNano" - "heldNano" - "unreportedNano" > 0
  RETURNING "userDid"`;

export class CreditAccounts {
  constructor(private readonly sequelize: Sequelize) {}

  get isPostgres(): boolean {
    return this.sequelize.getDialect() === 'postgres';
  }

  /** A write transaction: IMMEDIATE on SQLite (takes the write lock up front), queued per database. */
  transaction<T>(fn: (t: Transaction, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    return writeTransaction(this.sequelize, fn);
  }

  async select<T = Record<string, unknown>>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.sequelize.query(sql, { replacements, type: QueryTypes.SELECT, transaction }) as Promise<T[]>;
  }

  async get(userDid: string, transaction?: Transaction): Promise<AccountRow | null> {
    const rows = await this.select(`SELECT ${ACCOUNT_COLUMNS} FROM credit_accounts WHERE "userDid" = :userDid`, { userDid }, transaction);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /**
   * Adds the deltas to the account (creating it) and returns it as it is after the change. The
   * read runs in the same transaction, after the write that locked the row.
   */
  async adjust(t: Transaction, userDid: string, delta: AccountDelta, syncedAt?: Date): Promise<AccountRow> {
    const now = new Date();
    await this.sequelize.query(
      `INSERT INTO credit_accounts ("userDid", "balanceNano", "heldNano", "unreportedNano", "syncedAt", "createdAt", "updatedAt")
       VALUES (:userDid, :balance, :held, :unreported, :syncedAt, :now, :now)
       ON CONFLICT ("userDid") DO UPDATE SET
         "balanceNano" = credit_accounts."balanceNano" + excluded."balanceNano",
         "heldNano" = credit_accounts."heldNano" + excluded."heldNano",
         "unreportedNano" = credit_accounts."unreportedNano" + excluded."unreportedNano",
         "syncedAt" = COALESCE(excluded."syncedAt", credit_accounts."syncedAt"),
         "updatedAt" = excluded."updatedAt"`,
      {
        replacements: {
          userDid,
          balance: delta.balanceNano ?? 0,
          held: delta.heldNano ?? 0,
          unreported: delta.unreportedNano ?? 0,
          syncedAt: syncedAt ?? null,
          now,
        },
        transaction: t,
      },
    );
    return (await this.get(userDid, t))!;
  }

  /** Sets the balance to a value read elsewhere (Payment Kit), keeping held and unreported. */
  async setBalance(userDid: string, balanceNano: number, syncedAt: Date): Promise<AccountRow> {
    return this.transaction(async (t) => {
      await this.sequelize.query(
        `INSERT INTO credit_accounts ("userDid", "balanceNano", "heldNano", "unreportedNano", "syncedAt", "createdAt", "updatedAt")
         VALUES (:userDid, :balance, 0, 0, :syncedAt, :syncedAt, :syncedAt)
         ON CONFLICT ("userDid") DO UPDATE SET "balanceNano" = excluded."balanceNano", "syncedAt" = excluded."syncedAt", "updatedAt" = excluded."updatedAt"`,
        { replacements: { userDid, balance: balanceNano, syncedAt }, transaction: t },
      );
      return (await this.get(userDid, t))!;
    });
  }

  /**
   * Holds `amountNano` for a call when the account can cover it (and has something available at
   * all). Returns the reservation id, or null when it cannot be covered.
   */
  async hold(userDid: string, amountNano: number, modelCallId: string | null, expiresAt: Date): Promise<string | null> {
    const replacements = { id: newId(), userDid, amount: amountNano, modelCallId, expiresAt, now: new Date() };
    if (this.isPostgres) {
      // One statement, so the account's row is locked for its run only, not for a transaction's
      // round trips: every call of one user takes that lock before it goes upstream.
      const rows = await this.select(`WITH held AS (${HOLD_UPDATE})
         INSERT INTO credit_reservations ("id", "userDid", "amountNano", "modelCallId", "expiresAt", "createdAt")
         SELECT :id, "userDid", :amount, :modelCallId, :expiresAt, :now FROM held
         RETURNING "id"`, replacements);
      return rows.length ? replacements.id : null;
    }
    return this.transaction(async (t) => {
      const held = await this.select(HOLD_UPDATE, replacements, t);
      if (held.length === 0) return null;
      await this.sequelize.query(
        `INSERT INTO credit_reservations ("id", "userDid", "amountNano", "modelCallId", "expiresAt", "createdAt")
         VALUES (:id, :userDid, :amount, :modelCallId, :expiresAt, :now)`,
        { replacements, transaction: t },
      );
      return replacements.id;
    });
  }

  /**
   * Deletes a reservation and returns what it held (0 when it was already released, e.g. expired
   * and swept): the caller subtracts that from the account in the same transaction.
   */
  async takeReservation(t: Transaction, reservationId: string): Promise<number> {
    return this.takeReservations(t, [reservationId]);
  }

  /** `takeReservation` for several at once: what they held in all, with one statement. */
  async takeReservations(t: Transaction, reservationIds: string[]): Promise<number> {
    if (reservationIds.length === 0) return 0;
    const rows = await this.select(`DELETE FROM credit_reservations WHERE "id" IN (:ids) RETURNING "amountNano"`, { ids: reservationIds }, t);
    let total = 0;
    for (const r of rows) total += toNano(r.amountNano);
    return total;
  }

  /** Releases reservations that expired (their call outlived the TTL, or its process died). */
  async releaseExpired(now = new Date(), limit = 500): Promise<number> {
    const due = await this.select<{ id: string; userDid: string }>(
      `SELECT "id", "userDid" FROM credit_reservations WHERE "expiresAt" <= :now ORDER BY "expiresAt" LIMIT :limit`,
      { now, limit },
    );
    let released = 0;
    for (const r of due) {
      await this.transaction(async (t) => {
        const amount = await this.takeReservation(t, r.id);
        if (amount > 0) await this.adjust(t, r.userDid, { heldNano: -amount });
      });
      released += 1;
    }
    return released;
  }

  /**
   * Start-up on a single-process database (SQLite): no call can be in flight, so every
   * reservation left behind belongs to a process that died. Returns how many were released.
   */
  async releaseAll(): Promise<number> {
    return this.transaction(async (t) => {
      const rows = await this.select<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM credit_reservations`, {}, t);
      await this.sequelize.query(`DELETE FROM credit_reservations`, { transaction: t });
      await this.sequelize.query(`UPDATE credit_accounts SET "heldNano" = 0 WHERE "heldNano" <> 0`, { transaction: t });
      return Number(rows[0]?.n ?? 0);
    });
  }

  /** Sum of open reservations per user, for checks. */
  async openReservations(userDid: string): Promise<number> {
    const rows = await this.select<{ total: unknown }>(
      `SELECT COALESCE(SUM("amountNano"), 0) AS "total" FROM credit_reservations WHERE "userDid" = :userDid`,
      { userDid },
    );
    return toNano(rows[0]?.total);
  }
}
