import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type CreditGrantSource = 'admin' | 'new_user';

/** Credits given to a user; a grant with an expiry forfeits what is left of it when it expires. */
export class CreditGrant extends Model<InferAttributes<CreditGrant>, InferCreationAttributes<CreditGrant>> {
  declare id: string;
  declare userDid: string;
  declare amountNano: number;
  /** What is left of an expiring grant (charges consume the soonest-expiring grants first). */
  declare remainingNano: number;
  declare source: CreditGrantSource;
  declare reason: string | null;
  declare grantedBy: string | null;
  declare expiresAt: Date | null;
  declare expiredAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initCreditGrant(sequelize: Sequelize): typeof CreditGrant {
  const Bound = boundClass(CreditGrant);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      amountNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      remainingNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      source: { type: DataTypes.STRING(32), allowNull: false, defaultValue: 'admin' },
      reason: { type: DataTypes.STRING(500), allowNull: true },
      grantedBy: { type: DataTypes.STRING(128), allowNull: true },
      expiresAt: { type: DataTypes.DATE, allowNull: true },
      expiredAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'credit_grants' },
  );
  return Bound;
}
