import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export class AiProvider extends Model<InferAttributes<AiProvider>, InferCreationAttributes<AiProvider>> {
  declare id: string;
  /** Registry id (`openai`, `anthropic` …); unique. */
  declare name: string;
  declare displayName: string;
  declare baseUrl: string | null;
  declare region: string | null;
  declare enabled: boolean;
  /** Lower rank is tried first when a bare model name matches several providers. */
  declare rank: number;
  declare config: Record<string, unknown> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initAiProvider(sequelize: Sequelize): typeof AiProvider {
  const Bound = boundClass(AiProvider);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      name: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      displayName: { type: DataTypes.STRING(200), allowNull: false },
      baseUrl: { type: DataTypes.STRING(1000), allowNull: true },
      region: { type: DataTypes.STRING(64), allowNull: true },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      rank: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 100 },
      config: { type: DataTypes.JSON, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'ai_providers' },
  );
  return Bound;
}
