import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

/**
 * A user's cached credit position, in nano-credits. `balanceNano` is the sum of the user's ledger
 * entries (or, with Payment Kit, the balance it last reported), `heldNano` the sum of open
 * reservations and `unreportedNano` charges not yet reported to Payment Kit. Written only in the
 * transactions that write the rows it summarizes.
 */
export class CreditAccount extends Model<InferAttributes<CreditAccount>, InferCreationAttributes<CreditAccount>> {
  declare userDid: string;
  declare balanceNano: CreationOptional<number>;
  declare heldNano: CreationOptional<number>;
  declare unreportedNano: CreationOptional<number>;
  declare syncedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initCreditAccount(sequelize: Sequelize): typeof CreditAccount {
  const Bound = boundClass(CreditAccount);
  Bound.init(
    {
      userDid: { type: DataTypes.STRING(128), primaryKey: true },
      balanceNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      heldNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      unreportedNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      syncedAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'credit_accounts' },
  );
  return Bound;
}
