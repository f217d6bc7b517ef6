/**
 * The embedded credit ledger: grants (optionally expiring), charges, refunds and expiries as
 * append-only rows; a user's balance is their sum, cached in credit_accounts by the same
 * transaction that appends each row. Charges consume the soonest-expiring grants first, so an
 * expiry forfeits only what was left of that grant.
 *
 * A call's charge is written by the call recorder's flush, in the transaction that writes its
 * ModelCall row: the row and its charge commit together, and many calls share one commit.
 * Reservations live in the process on SQLite (held-credits.ts: one process owns the database) and
 * in credit_reservations on PostgreSQL, where several instances spend the same balances.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { ConflictError, NotFoundError } from '../../errors.js';
import { nanoToCredits } from '../../lib/decimal.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { quoteName, sqlLiteral } from '../../store/sql-literal.js';
import type { AfterCommit } from '../../store/write-transaction.js';
import type { ModelCallRow } from '../../store/models/model-call.js';
import type { FlushHook } from '../recording/call-recorder.js';
import type { Models } from '../../store/models/index.js';
import type { CreditTransaction, CreditTransactionType } from '../../store/models/credit-transaction.js';
import { CreditAccounts, toNano } from './accounts.js';
import type { GrantView, TransactionView } from '../../wire/credits.js';
import type { BillingBackend } from './backend.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { HeldCredits } from './held-credits.js';
import { insufficientCredits } from './insufficient.js';
import { ledgerGrantList, ledgerGrantTotals, ledgerTransactionList } from './ledger-lists.js';

export interface LedgerOptions {
  sequelize: Sequelize;
  models: Models;
  logger: Logger;
  /** CREDIT_BASED_BILLING_ENABLED: reserve and charge; otherwise calls are only recorded. */
  enabled: boolean;
  reservationTtlMs: number;
  topUpLink?: string;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

function toTransactionView(row: CreditTransaction): TransactionView {
  return {
    id: row.id,
    type: row.type,
    amount: nanoToCredits(toNano(row.amountNano)),
    balance: nanoToCredits(toNano(row.balanceAfterNano)),
    reason: row.reason,
    modelCallId: row.modelCallId,
    grantId: row.grantId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** A settled call's charge, waiting for the flush that writes its row. */
interface Settlement {
  userDid: string;
  chargeNano: number;
  model: string;
  /** A credit_reservations row to delete in the same transaction (PostgreSQL). */
  reservationId: string | null;
}

export function createLedgerBilling(
  options: LedgerOptions,
): BillingBackend & { accounts: CreditAccounts; flushHook: FlushHook; expireGrants(now?: Date): Promise<number> } {
  const { sequelize, models, logger } = options;
  const accounts = new CreditAccounts(sequelize);
  const forUpdate = () => (accounts.isPostgres ? ' FOR UPDATE' : '');
  // Read in a write transaction: in order with every commit that changes a balance.
  const held = accounts.isPostgres
    ? null
    : new HeldCredits((userDid, set) =>
        accounts.transaction(async (t) => {
          const a = await accounts.get(userDid, t);
          set(a ? a.balanceNano - a.unreportedNano : 0);
        }),
      );
  const settlements = new Map<string, Settlement>();

  /** accounts.adjust, and the in-process balance follows once the transaction commits. */
  const adjust = async (t: Transaction, afterCommit: AfterCommit, userDid: string, delta: { balanceNano?: number; heldNano?: number }, settledNano = 0) => {
    const after = await accounts.adjust(t, userDid, delta);
    afterCommit(() => held?.committed(userDid, after.balanceNano - after.unreportedNano, settledNano));
    return after;
  };

  type Entry = { userDid: string; type: CreditTransactionType; amountNano: number; balanceAfterNano: number; reason?: string | null; modelCallId?: string | null; grantId?: string | null; createdAt?: Date };
  const COLUMNS = ['id', 'userDid', 'type', 'amountNano', 'balanceAfterNano', 'reason', 'modelCallId', 'grantId', 'createdAt'] as const;
  const INSERT_HEAD = `INSERT INTO credit_transactions (${COLUMNS.map(quoteName).join(', ')}) VALUES `;
  const literal = sqlLiteral(sequelize);

  /** Appends ledger rows (multi-row INSERTs of escaped values). */
  const appendAll = async (t: Transaction, entries: Entry[]) => {
    const rows = entries.map((entry) => ({
      id: newId(),
      userDid: entry.userDid,
      type: entry.type,
      amountNano: entry.amountNano,
      balanceAfterNano: entry.balanceAfterNano,
      reason: entry.reason ?? null,
      modelCallId: entry.modelCallId ?? null,
      grantId: entry.grantId ?? null,
      createdAt: entry.createdAt ?? new Date(),
    }));
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows.slice(i, i + 200).map((row) => `(${COLUMNS.map((c) => literal(row[c])).join(', ')})`);
      await sequelize.query(`${INSERT_HEAD}${values.join(', ')}`, { type: QueryTypes.INSERT, transaction: t });
    }
    return rows;
  };
  const append = async (t: Transaction, entry: Entry) => (await appendAll(t, [entry]))[0]!;

  /** Takes `amountNano` from the user's unexpired expiring grants, soonest expiry first. */
  const consumeExpiringGrants = async (t: Transaction, userDid: string, amountNano: number) => {
    const grants = await accounts.select<{ id: string; remainingNano: unknown }>(
      `SELECT "id", "remainingNano" FROM credit_grants
       WHERE "userDid" = :userDid AND "expiresAt" IS NOT NULL AND "expiredAt" IS NULL AND "remainingNano" > 0
       ORDER BY "expiresAt", "id"${forUpdate()}`,
      { userDid },
      t,
    );
    let left = amountNano;
    const now = new Date();
    for (const g of grants) {
      if (left <= 0) break;
      const take = Math.min(left, toNano(g.remainingNano));
      await sequelize.query(`UPDATE credit_grants SET "remainingNano" = "remainingNano" - :take, "updatedAt" = :now WHERE "id" = :id`, {
        replacements: { take, now, id: g.id },
        transaction: t,
      });
      left -= take;
    }
  };

  const expireGrants = async (now = new Date(), userDid?: string): Promise<number> => {
    const due = await accounts.select<{ id: string; userDid: string }>(
      `SELECT "id", "userDid" FROM credit_grants WHERE "expiresAt" <= :now AND "expiredAt" IS NULL${userDid ? ` AND "userDid" = :userDid` : ''} ORDER BY "expiresAt" LIMIT 500`,
      { now, userDid },
    );
    let expired = 0;
    for (const g of due) {
      await accounts.transaction(async (t, afterCommit) => {
        const [row] = await accounts.select<{ remainingNano: unknown }>(
          `SELECT "remainingNano" FROM credit_grants WHERE "id" = :id AND "expiredAt" IS NULL${forUpdate()}`,
          { id: g.id },
          t,
        );
        if (!row) return;
        const remaining = toNano(row.remainingNano);
        await sequelize.query(`UPDATE credit_grants SET "expiredAt" = :now, "remainingNano" = 0, "updatedAt" = :now WHERE "id" = :id`, {
          replacements: { now, id: g.id },
          transaction: t,
        });
        if (remaining > 0) {
          const after = await adjust(t, afterCommit, g.userDid, { balanceNano: -remaining });
          await append(t, { userDid: g.userDid, type: 'expire', amountNano: -remaining, balanceAfterNano: after.balanceNano, reason: 'Grant expired', grantId: g.id, createdAt: now });
        }
        expired += 1;
      });
    }
    return expired;
  };

  /** Cached balances must equal the ledger; a difference is logged and repaired from the ledger. */
  const verifyBalances = async () => {
    const drift = await accounts.select<{ userDid: string; cached: unknown; actual: unknown }>(
      `SELECT a."userDid" AS "userDid", a."balanceNano" AS "cached", COALESCE(SUM(t."amountNano"), 0) AS "actual"
       FROM credit_accounts a LEFT JOIN credit_transactions t ON t."userDid" = a."userDid"
       GROUP BY a."userDid", a."balanceNano"
       HAVING a."balanceNano" <> COALESCE(SUM(t."amountNano"), 0)`,
      {},
    );
    for (const d of drift) {
      logger.warn('credit balance differed from the ledger; repaired', { userDid: d.userDid, cached: toNano(d.cached), ledger: toNano(d.actual) });
      await sequelize.query(`UPDATE credit_accounts SET "balanceNano" = :actual WHERE "userDid" = :userDid`, {
        replacements: { actual: toNano(d.actual), userDid: d.userDid },
      });
    }
  };

  return {
    kind: 'ledger',
    get enabled() {
      return options.enabled;
    },
    topUpLink: options.topUpLink,
    accounts,
    expireGrants: (now) => expireGrants(now),

    async reserve({ record, maxCostNano }) {
      if (!options.enabled || !record.userDid) return null;
      const amount = Math.max(0, Math.ceil(maxCostNano));
      if (held) {
        const h = await held.hold(record.userDid, amount, Date.now() + options.reservationTtlMs);
        if (h.id === null) throw insufficientCredits(amount, h.availableNano, options.topUpLink);
        return h;
      }
      const id = await accounts.hold(record.userDid, amount, record.id, new Date(Date.now() + options.reservationTtlMs));
      if (!id) {
        const account = await accounts.get(record.userDid);
        const available = account ? account.balanceNano - account.heldNano - account.unreportedNano : 0;
        throw insufficientCredits(amount, available, options.topUpLink);
      }
      return { id, amountNano: amount };
    },

    /** Releases the reservation now; the charge is written with the call's row (flushHook). */
    async settle(record, reservation) {
      if (!options.enabled || !record.userDid) return;
      const charge = Math.max(0, record.creditsNano);
      if (held) {
        if (reservation) held.release(reservation.id);
        if (charge > 0) held.addPending(record.userDid, charge);
      }
      if (charge > 0 || (!held && reservation)) {
        settlements.set(record.id, { userDid: record.userDid, chargeNano: charge, model: record.model, reservationId: held ? null : (reservation?.id ?? null) });
      }
    },

    flushHook: {
      name: 'credits',
      journal: (row) => settlements.get(row.id),
      // As journaled: on SQLite a settlement names no reservation row; on PostgreSQL the row, if
      // not yet expired and swept, is taken with the charge.
      restore: (row, data) => settlements.set(row.id, data as Settlement),
      async write(rows, t, afterCommit) {
        const byUser = new Map<string, { id: string; s: Settlement }[]>();
        for (const row of rows) {
          const s = settlements.get(row.id);
          if (!s) continue;
          const list = byUser.get(s.userDid) ?? [];
          list.push({ id: row.id, s });
          byUser.set(s.userDid, list);
        }
        // Accounts are locked in one order by every writer (PostgreSQL).
        for (const userDid of [...byUser.keys()].sort()) {
          const list = byUser.get(userDid)!;
          let charge = 0;
          const reservations: string[] = [];
          for (const { s } of list) {
            if (s.reservationId) reservations.push(s.reservationId);
            charge += s.chargeNano;
          }
          const released = await accounts.takeReservations(t, reservations);
          if (charge > 0) await consumeExpiringGrants(t, userDid, charge);
          const after = await adjust(t, afterCommit, userDid, { heldNano: -released, balanceNano: -charge }, charge);
          let balance = after.balanceNano + charge;
          const now = new Date();
          const charges: Entry[] = [];
          for (const { id, s } of list) {
            if (s.chargeNano === 0) continue;
            balance -= s.chargeNano;
            charges.push({ userDid, type: 'charge', amountNano: -s.chargeNano, balanceAfterNano: balance, reason: s.model, modelCallId: id, createdAt: now });
          }
          await appendAll(t, charges);
        }
        afterCommit(() => {
          for (const row of rows) settlements.delete(row.id);
        });
      },
      dropped(rows: ModelCallRow[]) {
        for (const row of rows) {
          const s = settlements.get(row.id);
          if (!s) continue;
          settlements.delete(row.id);
          held?.dropPending(s.userDid, s.chargeNano);
          logger.error('a call\'s charge was not written with its record', { modelCallId: row.id, userDid: s.userDid, creditsNano: s.chargeNano });
        }
      },
    },

    async balance(userDid) {
      await expireGrants(new Date(), userDid);
      const account = await accounts.get(userDid);
      const pendingNano = held ? held.heldNano(userDid) : (account?.heldNano ?? 0);
      return { userDid, balanceNano: account ? account.balanceNano - account.unreportedNano : 0, pendingNano };
    },

    async summary(userDid) {
      const [b, totals] = await Promise.all([this.balance(userDid), ledgerGrantTotals(models, userDid)]);
      return { balanceNano: b.balanceNano, pendingNano: b.pendingNano, ...totals };
    },
    grantList: (userDid, page) => ledgerGrantList(models, userDid, page),
    transactionList: (userDid, page) => ledgerTransactionList(models, userDid, page, toTransactionView),
    paymentLink: async () => options.topUpLink,

    async grant(request): Promise<GrantView> {
      const now = new Date();
      const id = newId();
      const expiresAt = request.expiresAt ?? null;
      const after = await accounts.transaction(async (t, afterCommit) => {
        await models.CreditGrant.create(
          {
            id,
            userDid: request.userDid,
            amountNano: request.amountNano,
            remainingNano: expiresAt ? request.amountNano : 0,
            source: request.source ?? 'admin',
            reason: request.reason ?? null,
            grantedBy: request.grantedBy ?? null,
            expiresAt,
            expiredAt: null,
            createdAt: now,
            updatedAt: now,
          },
          { transaction: t },
        );
        const account = await adjust(t, afterCommit, request.userDid, { balanceNano: request.amountNano });
        await append(t, { userDid: request.userDid, type: 'grant', amountNano: request.amountNano, balanceAfterNano: account.balanceNano, reason: request.reason, grantId: id, createdAt: now });
        return account;
      });
      return {
        id,
        userDid: request.userDid,
        amount: nanoToCredits(request.amountNano),
        reason: request.reason ?? null,
        expiresAt: iso(expiresAt),
        createdAt: now.toISOString(),
        balance: nanoToCredits(after.balanceNano - after.unreportedNano),
      };
    },

    async transactions(userDid, page) {
      const where: Record<string | symbol, unknown> = { userDid };
      if (page.cursor) {
        const c = decodeCursor(page.cursor);
        where[Op.or] = [{ createdAt: { [Op.lt]: c.createdAt } }, { createdAt: c.createdAt, id: { [Op.lt]: c.id } }];
      }
      const rows = await models.CreditTransaction.findAll({
        where,
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
        limit: page.limit + 1,
      });
      const more = rows.length > page.limit;
      const data = rows.slice(0, page.limit);
      const last = data.at(-1);
      return { data: data.map(toTransactionView), ...(more && last ? { next: encodeCursor(new Date(last.createdAt), last.id) } : {}) };
    },

    async refund(modelCallId, reason) {
      const charge = await models.CreditTransaction.findOne({ where: { modelCallId, type: 'charge' } });
      if (!charge) throw new NotFoundError(`No charge for model call '${modelCallId}'`);
      const amount = -toNano(charge.amountNano);
      try {
        const row = await accounts.transaction(async (t, afterCommit) => {
          const existing = await models.CreditTransaction.count({ where: { modelCallId, type: 'refund' }, transaction: t });
          if (existing) throw new ConflictError(`Model call '${modelCallId}' was already refunded`);
          const after = await adjust(t, afterCommit, charge.userDid, { balanceNano: amount });
          return append(t, { userDid: charge.userDid, type: 'refund', amountNano: amount, balanceAfterNano: after.balanceNano, reason: reason ?? `Refund of ${charge.reason ?? 'a call'}`, modelCallId });
        });
        return toTransactionView(row as unknown as CreditTransaction);
      } catch (err) {
        if ((err as Error).name === 'SequelizeUniqueConstraintError') throw new ConflictError(`Model call '${modelCallId}' was already refunded`);
        throw err;
      }
    },

    reportableNano: () => 0,

    async sweep(now = new Date()) {
      const released = (held?.releaseExpired(now.getTime()) ?? 0) + (await accounts.releaseExpired(now));
      if (released) logger.warn('released expired credit reservations', { count: released });
      await expireGrants(now);
    },

    async reconcile() {
      if (accounts.isPostgres) {
        const released = await accounts.releaseExpired();
        if (released) logger.warn('released expired credit reservations', { count: released });
      } else {
        const released = await accounts.releaseAll();
        if (released) logger.warn('released credit reservations left by a previous stop', { count: released });
        await verifyBalances();
      }
      await expireGrants();
    },

    async close() {},
  };
}
