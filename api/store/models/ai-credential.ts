import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type CredentialStatus = 'active' | 'disabled';

export class AiCredential extends Model<InferAttributes<AiCredential>, InferCreationAttributes<AiCredential>> {
  declare id: string;
  declare providerId: string;
  declare name: string;
  declare credentialType: 'api_key' | 'access_key_pair' | 'custom';
  /** AES-256-GCM sealed JSON of the credential fields. */
  declare encryptedValue: string;
  /** The same fields masked for display (`sk-a****wxyz`). */
  declare maskedValue: Record<string, string>;
  declare weight: number;
  declare status: CredentialStatus;
  declare disabledReason: string | null;
  /** Set while the credential is cooling down after failures or a 429. */
  declare cooldownUntil: Date | null;
  declare failureCount: number;
  declare usageCount: number;
  declare lastUsedAt: Date | null;
  declare lastErrorAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initAiCredential(sequelize: Sequelize): typeof AiCredential {
  const Bound = boundClass(AiCredential);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      providerId: { type: DataTypes.STRING(64), allowNull: false },
      name: { type: DataTypes.STRING(200), allowNull: false },
      credentialType: { type: DataTypes.STRING(32), allowNull: false, defaultValue: 'api_key' },
      encryptedValue: { type: DataTypes.TEXT, allowNull: false },
      maskedValue: { type: DataTypes.JSON, allowNull: false },
      weight: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 100 },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
      disabledReason: { type: DataTypes.STRING(500), allowNull: true },
      cooldownUntil: { type: DataTypes.DATE, allowNull: true },
      failureCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      usageCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lastUsedAt: { type: DataTypes.DATE, allowNull: true },
      lastErrorAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'ai_credentials' },
  );
  return Bound;
}
