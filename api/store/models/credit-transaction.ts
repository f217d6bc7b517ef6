import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type CreditTransactionType = 'grant' | 'charge' | 'refund' | 'expire';

/** One ledger entry (append-only). Grants and refunds are positive, charges and expiries negative. */
export class CreditTransaction extends Model<InferAttributes<CreditTransaction>, InferCreationAttributes<CreditTransaction>> {
  declare id: string;
  declare userDid: string;
  declare type: CreditTransactionType;
  declare amountNano: number;
  declare balanceAfterNano: number;
  declare reason: string | null;
  declare modelCallId: string | null;
  declare grantId: string | null;
  declare createdAt: CreationOptional<Date>;
}

export function initCreditTransaction(sequelize: Sequelize): typeof CreditTransaction {
  const Bound = boundClass(CreditTransaction);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      type: { type: DataTypes.STRING(16), allowNull: false },
      amountNano: { type: DataTypes.BIGINT, allowNull: false },
      balanceAfterNano: { type: DataTypes.BIGINT, allowNull: false },
      reason: { type: DataTypes.STRING(500), allowNull: true },
      modelCallId: { type: DataTypes.STRING(64), allowNull: true },
      grantId: { type: DataTypes.STRING(64), allowNull: true },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'credit_transactions', updatedAt: false },
  );
  return Bound;
}
