import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

/** Charges aggregated per hour, user, app and model — what billing meters. */
export class Usage extends Model<InferAttributes<Usage>, InferCreationAttributes<Usage>> {
  declare id: string;
  declare periodStart: Date;
  declare userDid: string;
  declare appId: string;
  declare model: string;
  declare providerId: string;
  declare type: string;
  declare calls: number;
  declare inputTokens: number;
  declare outputTokens: number;
  declare creditsNano: number;
  declare reportedCreditsNano: number;
  declare errors: CreationOptional<number>;
  /** Histogram of the durations, JSON `{"bin": count}` (services/usage/duration-histogram.ts). */
  declare durations: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initUsage(sequelize: Sequelize): typeof Usage {
  const Bound = boundClass(Usage);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      periodStart: { type: DataTypes.DATE, allowNull: false },
      userDid: { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' },
      appId: { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' },
      model: { type: DataTypes.STRING(200), allowNull: false },
      providerId: { type: DataTypes.STRING(64), allowNull: false, defaultValue: '' },
      type: { type: DataTypes.STRING(32), allowNull: false },
      calls: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      inputTokens: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      outputTokens: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      creditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      reportedCreditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      errors: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      durations: { type: DataTypes.TEXT, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'usages' },
  );
  return Bound;
}
