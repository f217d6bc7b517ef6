import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type RateType = 'chatCompletion' | 'embedding' | 'imageGeneration' | 'audio' | 'video';

/**
 * Credits per token (per image for images; audio: input per second transcribed and per character
 * spoken; video: output per second), kept as exact decimal strings.
 */
export class AiModelRate extends Model<InferAttributes<AiModelRate>, InferCreationAttributes<AiModelRate>> {
  declare id: string;
  declare providerId: string;
  declare model: string;
  declare type: RateType;
  declare inputRate: string;
  declare outputRate: string;
  declare cacheReadRate: string | null;
  declare cacheWriteRate: string | null;
  declare unitCosts: { input: string; output: string } | null;
  declare modelMetadata: Record<string, unknown> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initAiModelRate(sequelize: Sequelize): typeof AiModelRate {
  const Bound = boundClass(AiModelRate);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      providerId: { type: DataTypes.STRING(64), allowNull: false },
      model: { type: DataTypes.STRING(200), allowNull: false },
      type: { type: DataTypes.STRING(32), allowNull: false },
      inputRate: { type: DataTypes.STRING(64), allowNull: false },
      outputRate: { type: DataTypes.STRING(64), allowNull: false },
      cacheReadRate: { type: DataTypes.STRING(64), allowNull: true },
      cacheWriteRate: { type: DataTypes.STRING(64), allowNull: true },
      unitCosts: { type: DataTypes.JSON, allowNull: true },
      modelMetadata: { type: DataTypes.JSON, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'ai_model_rates' },
  );
  return Bound;
}
