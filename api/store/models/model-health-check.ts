import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { RateType } from './ai-model-rate.js';
import { boundClass } from './bound-class.js';

/** One health check of one model of one provider. */
export class ModelHealthCheck extends Model<InferAttributes<ModelHealthCheck>, InferCreationAttributes<ModelHealthCheck>> {
  declare id: string;
  declare runId: string;
  declare providerId: string;
  declare model: string;
  declare type: RateType;
  declare ok: boolean;
  declare latencyMs: number | null;
  declare error: string | null;
  declare credentialId: string | null;
  declare checkedAt: Date;
}

export function initModelHealthCheck(sequelize: Sequelize): typeof ModelHealthCheck {
  const Bound = boundClass(ModelHealthCheck);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      runId: { type: DataTypes.STRING(64), allowNull: false },
      providerId: { type: DataTypes.STRING(64), allowNull: false },
      model: { type: DataTypes.STRING(200), allowNull: false },
      type: { type: DataTypes.STRING(32), allowNull: false },
      ok: { type: DataTypes.BOOLEAN, allowNull: false },
      latencyMs: { type: DataTypes.INTEGER, allowNull: true },
      error: { type: DataTypes.STRING(1000), allowNull: true },
      credentialId: { type: DataTypes.STRING(64), allowNull: true },
      checkedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, tableName: 'model_health_checks', timestamps: false },
  );
  return Bound;
}
