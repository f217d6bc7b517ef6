import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type MeterReportStatus = 'pending' | 'sent';

/**
 * A usage report to Payment Kit (outbox): the credits of one usage bucket between two reported
 * totals. The id is the meter event's identifier, so a retry can never count twice.
 */
export class MeterReport extends Model<InferAttributes<MeterReport>, InferCreationAttributes<MeterReport>> {
  declare id: string;
  declare usageId: string;
  declare userDid: string;
  declare fromNano: number;
  declare toNano: number;
  declare status: MeterReportStatus;
  declare attempts: CreationOptional<number>;
  declare lastError: string | null;
  declare nextAttemptAt: Date;
  declare sentAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initMeterReport(sequelize: Sequelize): typeof MeterReport {
  const Bound = boundClass(MeterReport);
  Bound.init(
    {
      id: { type: DataTypes.STRING(200), primaryKey: true },
      usageId: { type: DataTypes.STRING(64), allowNull: false },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      fromNano: { type: DataTypes.BIGINT, allowNull: false },
      toNano: { type: DataTypes.BIGINT, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lastError: { type: DataTypes.STRING(1000), allowNull: true },
      nextAttemptAt: { type: DataTypes.DATE, allowNull: false },
      sentAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'meter_reports' },
  );
  return Bound;
}
