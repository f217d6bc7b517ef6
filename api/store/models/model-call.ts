import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type ModelCallStatus = 'processing' | 'success' | 'failed' | 'aborted';
export type ModelCallType = 'chatCompletion' | 'embedding' | 'imageGeneration' | 'audio' | 'video';

/** One row per accepted model request, whatever the number of upstream attempts behind it. */
export class ModelCall extends Model<InferAttributes<ModelCall>, InferCreationAttributes<ModelCall>> {
  declare id: string;
  declare traceId: string | null;
  declare requestId: string | null;
  declare model: string;
  declare providerId: string | null;
  declare credentialId: string | null;
  declare type: ModelCallType;
  declare status: ModelCallStatus;
  declare stream: boolean;
  declare inputTokens: number;
  declare outputTokens: number;
  declare cacheReadTokens: number;
  declare cacheWriteTokens: number;
  /** Charged credits in nano-credits (1e-9), exact. */
  declare creditsNano: number;
  declare usageEstimated: boolean;
  declare attempts: number;
  /** Milliseconds. */
  declare duration: number | null;
  declare ttfb: number | null;
  declare providerTtfb: number | null;
  declare errorReason: string | null;
  declare errorCode: string | null;
  declare userDid: string | null;
  declare appId: string | null;
  /** The access key the call was made with (null for callers without one). */
  declare accessKeyId: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A ModelCall row as the hub writes it: every column, the timestamps optional. */
export type ModelCallRow = Omit<InferCreationAttributes<ModelCall>, 'createdAt' | 'updatedAt'> & { createdAt?: Date; updatedAt?: Date };

export function initModelCall(sequelize: Sequelize): typeof ModelCall {
  const Bound = boundClass(ModelCall);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      traceId: { type: DataTypes.STRING(64), allowNull: true },
      requestId: { type: DataTypes.STRING(64), allowNull: true },
      model: { type: DataTypes.STRING(200), allowNull: false },
      providerId: { type: DataTypes.STRING(64), allowNull: true },
      credentialId: { type: DataTypes.STRING(64), allowNull: true },
      type: { type: DataTypes.STRING(32), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      stream: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      inputTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      outputTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      cacheReadTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      cacheWriteTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      creditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      usageEstimated: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      duration: { type: DataTypes.INTEGER, allowNull: true },
      ttfb: { type: DataTypes.INTEGER, allowNull: true },
      providerTtfb: { type: DataTypes.INTEGER, allowNull: true },
      errorReason: { type: DataTypes.STRING(1000), allowNull: true },
      errorCode: { type: DataTypes.STRING(64), allowNull: true },
      userDid: { type: DataTypes.STRING(128), allowNull: true },
      appId: { type: DataTypes.STRING(128), allowNull: true },
      accessKeyId: { type: DataTypes.STRING(64), allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'model_calls' },
  );
  return Bound;
}
