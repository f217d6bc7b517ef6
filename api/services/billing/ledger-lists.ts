/** The embedded ledger's grants and transactions by page number, and a user's grant totals. */
import { QueryTypes } from 'sequelize';
import { nanoToCredits } from '../../lib/decimal.js';
import type { Models } from '../../store/models/index.js';
import type { CreditTransaction } from '../../store/models/credit-transaction.js';
import { toNano } from './accounts.js';
import type { TransactionView } from '../../wire/credits.js';
import type { CountedList, GrantItem } from '../../wire/user.js';
import type { NumberedPage } from './backend.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const newestFirst: [string, string][] = [
  ['createdAt', 'DESC'],
  ['id', 'DESC'],
];

/** Credits and number of the user's grants that have not expired. */
export async function ledgerGrantTotals(models: Models, userDid: string): Promise<{ totalNano: number; grantCount: number }> {
  const [row] = await models.CreditGrant.sequelize!.query<{ total: unknown; n: unknown }>(
    `SELECT COALESCE(SUM("amountNano"), 0) AS "total", COUNT(*) AS "n" FROM credit_grants WHERE "userDid" = :userDid AND "expiredAt" IS NULL`,
    { replacements: { userDid }, type: QueryTypes.SELECT },
  );
  return { totalNano: toNano(String(row?.total ?? 0).split('.')[0]), grantCount: Number(row?.n ?? 0) };
}

export async function ledgerGrantList(models: Models, userDid: string, page: NumberedPage): Promise<CountedList<GrantItem>> {
  const { count, rows } = await models.CreditGrant.findAndCountAll({ where: { userDid }, order: newestFirst, limit: page.pageSize, offset: (page.page - 1) * page.pageSize });
  return {
    count,
    list: rows.map((g) => ({
      id: g.id,
      userDid: g.userDid,
      amount: nanoToCredits(toNano(g.amountNano)),
      reason: g.reason,
      expiresAt: iso(g.expiresAt),
      createdAt: iso(g.createdAt)!,
      status: g.expiredAt ? 'expired' : 'granted',
    })),
  };
}

export async function ledgerTransactionList(
  models: Models,
  userDid: string,
  page: NumberedPage,
  view: (row: CreditTransaction) => TransactionView,
): Promise<CountedList<TransactionView>> {
  const { count, rows } = await models.CreditTransaction.findAndCountAll({ where: { userDid }, order: newestFirst, limit: page.pageSize, offset: (page.page - 1) * page.pageSize });
  return { count, list: rows.map(view) };
}
