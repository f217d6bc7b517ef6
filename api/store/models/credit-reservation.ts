import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

/** Credits held for a call in flight; released at settlement, or when it expires after a crash. */
export class CreditReservation extends Model<InferAttributes<CreditReservation>, InferCreationAttributes<CreditReservation>> {
  declare id: string;
  declare userDid: string;
  declare amountNano: number;
  declare modelCallId: string | null;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
}

export function initCreditReservation(sequelize: Sequelize): typeof CreditReservation {
  const Bound = boundClass(CreditReservation);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      amountNano: { type: DataTypes.BIGINT, allowNull: false },
      modelCallId: { type: DataTypes.STRING(64), allowNull: true },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'credit_reservations', updatedAt: false },
  );
  return Bound;
}
